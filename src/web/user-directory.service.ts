import { Injectable, NotFoundException } from '@nestjs/common';
import { User } from '../users/user.entity';
import { UsersRepository } from '../users/users.repository';
import { DirectoryEntryDto, OwnFileIdDto } from './dto/directory-entry.dto';
import { FileLookupRepository } from './file-lookup.repository';

export const DIRECTORY_MESSAGES = {
  userNotFound: 'No user with that name',
  fileNotFound: 'You have no file with that name',
} as const;

/** Turns the names people use into the numeric ids that S4's routes take. */
@Injectable()
export class UserDirectoryService {
  constructor(
    private readonly users: UsersRepository,
    private readonly files: FileLookupRepository,
  ) {}

  /** Only the id and the name: nothing else of another user's account is shown. */
  async lookupUser(username: string): Promise<DirectoryEntryDto> {
    const user = await this.users.findByUsername(username);
    if (!user) throw new NotFoundException({ error: DIRECTORY_MESSAGES.userNotFound });
    return { id: user.id, username: user.username };
  }

  /** The caller's own files only: another user's file is simply not found. */
  async ownFileId(caller: User, name: string): Promise<OwnFileIdDto> {
    const id = await this.files.idOf(caller.id, name);
    if (id === null) throw new NotFoundException({ error: DIRECTORY_MESSAGES.fileNotFound });
    return { id, name };
  }
}
