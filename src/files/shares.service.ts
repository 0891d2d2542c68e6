import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { SessionUser } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { IncomingShareDto, OutgoingShareDto, ShareFileDto } from './dto/share.dto';
import { toIncomingShareDto, toOutgoingShareDto } from './file.mappers';
import { FILE_MESSAGES } from './files.constants';
import { FilesRepository } from './files.repository';
import { FileSharesRepository } from './file-shares.repository';
import { FileVersionsRepository } from './file-versions.repository';

/** Sharing a file with another user (S4): the recipient may list and download it, nothing more. */
@Injectable()
export class SharesService {
  constructor(
    private readonly files: FilesRepository,
    private readonly versions: FileVersionsRepository,
    private readonly shares: FileSharesRepository,
    private readonly users: UsersService,
  ) {}

  async share(owner: SessionUser, dto: ShareFileDto): Promise<void> {
    // Ownership first: someone else's file is "not yours" whoever it would go to.
    const file = await this.files.findByOwnerAndId(owner.id, dto.file_id);
    if (!file) throw new NotFoundException({ error: FILE_MESSAGES.fileNotBelongToUserOrigin });
    if (dto.user_destination_id === owner.id) throw new BadRequestException({ error: FILE_MESSAGES.shareWithSelf });
    if (!(await this.users.findById(dto.user_destination_id))) throw new NotFoundException({ error: FILE_MESSAGES.userDestinationNotExist });
    await this.shares.add(file.id, dto.user_destination_id);
  }

  async unshare(owner: SessionUser, dto: ShareFileDto): Promise<void> {
    const file = await this.files.findByOwnerAndId(owner.id, dto.file_id);
    if (!file) throw new NotFoundException({ error: FILE_MESSAGES.fileNotBelongToUserOrigin });
    if (!(await this.shares.remove(file.id, dto.user_destination_id))) throw new NotFoundException({ error: FILE_MESSAGES.shareNotFound });
  }

  /** The recipient declines a file shared with them; the owner's file is untouched. */
  async decline(recipient: SessionUser, fileId: number): Promise<void> {
    if (!(await this.shares.remove(fileId, recipient.id))) throw new NotFoundException({ error: FILE_MESSAGES.shareNotFound });
  }

  async listIncoming(user: SessionUser): Promise<IncomingShareDto[]> {
    const shares = await this.shares.listIncoming(user.id);
    const fileIds = shares.map((share) => share.fileId);
    const files = new Map((await this.files.findByIds(fileIds)).map((file) => [file.id, file]));
    const latest = new Map((await this.versions.latestOfFiles(fileIds)).map((version) => [version.fileId, version]));
    const owners = await this.users.usernamesByIds([...files.values()].map((file) => file.ownerId));
    return shares.flatMap((share) => {
      const file = files.get(share.fileId);
      const version = latest.get(share.fileId);
      // A file between its creation and its first commit has nothing to show yet.
      return file && version ? [toIncomingShareDto(share, file, owners.get(file.ownerId) ?? '', version)] : [];
    });
  }

  async listOutgoing(owner: SessionUser): Promise<OutgoingShareDto[]> {
    const shares = await this.shares.listOutgoing(owner.id);
    const files = new Map((await this.files.findByIds(shares.map((share) => share.fileId))).map((file) => [file.id, file]));
    const recipients = await this.users.usernamesByIds(shares.map((share) => share.userId));
    return shares.flatMap((share) => {
      const file = files.get(share.fileId);
      return file ? [toOutgoingShareDto(share, file, recipients.get(share.userId) ?? '')] : [];
    });
  }
}
