import { HttpException } from '@nestjs/common';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { StoredFile } from './entities/stored-file.entity';
import { FileSharesRepository } from './file-shares.repository';
import { FileVersionsRepository } from './file-versions.repository';
import { FILE_MESSAGES } from './files.constants';
import { FilesRepository } from './files.repository';
import { SharesService } from './shares.service';

describe('SharesService', () => {
  const owner = Object.assign(new User(), { id: 1, username: 'owner' });
  const file = Object.assign(new StoredFile(), { id: 10, ownerId: 1, name: 'Cat03.jpg' });
  let added: [number, number][];
  let service: SharesService;

  beforeEach(() => {
    added = [];
    const files = {
      findByOwnerAndId: async (ownerId: number, id: number) => {
        return ownerId === file.ownerId && id === file.id ? file : null;
      },
    };
    const shares = {
      add: async (fileId: number, userId: number) => void added.push([fileId, userId]),
      remove: async (fileId: number, userId: number) => fileId === 10 && userId === 2,
    };
    const users = { findById: async (id: number) => (id === 2 ? Object.assign(new User(), { id: 2, username: 'friend' }) : null) };
    service = new SharesService(files as unknown as FilesRepository, {} as FileVersionsRepository, shares as unknown as FileSharesRepository, users as unknown as UsersService);
  });

  async function failure(promise: Promise<unknown>): Promise<[number, unknown]> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof HttpException) return [error.getStatus(), error.getResponse()];
      throw error;
    }
    throw new Error('expected a failure');
  }

  it("shares the owner's file with an existing user", async () => {
    await service.share(owner, { file_id: 10, user_destination_id: 2 });
    expect(added).toEqual([[10, 2]]);
  });

  it('refuses sharing one\'s own file with oneself (400), but answers 404 first for a file one does not own', async () => {
    expect((await failure(service.share(owner, { file_id: 10, user_destination_id: 1 })))[0]).toBe(400);
    expect(await failure(service.share(owner, { file_id: 11, user_destination_id: 1 }))).toEqual([404, { error: FILE_MESSAGES.fileNotBelongToUserOrigin }]);
    expect(added).toEqual([]);
  });

  it('answers the S4 messages for a file not owned and an unknown recipient', async () => {
    expect(await failure(service.share(owner, { file_id: 11, user_destination_id: 2 }))).toEqual([404, { error: FILE_MESSAGES.fileNotBelongToUserOrigin }]);
    expect(await failure(service.share(owner, { file_id: 10, user_destination_id: 3 }))).toEqual([404, { error: FILE_MESSAGES.userDestinationNotExist }]);
    expect(added).toEqual([]);
  });

  it('ends a share, and answers 404 for a share that does not exist', async () => {
    await service.unshare(owner, { file_id: 10, user_destination_id: 2 });
    expect((await failure(service.unshare(owner, { file_id: 10, user_destination_id: 3 })))[0]).toBe(404);
    expect((await failure(service.unshare(owner, { file_id: 11, user_destination_id: 2 })))[0]).toBe(404);
  });
});
