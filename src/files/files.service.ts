import { BadRequestException, Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import { UploadPart } from '../common/uploads/multipart-parts';
import { BlobStore } from '../storage/blob-store';
import { SessionUser } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { FileIdDto, FileListWithSharedDto, FileVersionDto, StoredFileVersionDto, UploadResultDto } from './dto/file.dto';
import { FileVersion } from './entities/file-version.entity';
import { StoredFile } from './entities/stored-file.entity';
import { assertValidFileName } from './file-name';
import { BlobHolders } from './blob-holders';
import { FileUploadService, HeldUpload, StoredUpload, UploadSource } from './file-upload.service';
import { storedContentType } from './content-type';
import { toFileVersionDto, toStoredFileVersionDto, toUploadedFileDto } from './file.mappers';
import { FILE_MESSAGES } from './files.constants';
import { FilesRepository } from './files.repository';
import { FileVersionsRepository } from './file-versions.repository';

/** A version picked for reading, with the file it belongs to. */
export interface FileRead {
  file: StoredFile;
  version: FileVersion;
}

/**
 * The rules of a user's own storage (S0, S4): names, versions, reads, deletes. Every lookup
 * carries the caller as owner, so another user's file is not found rather than forbidden.
 */
@Injectable()
export class FilesService implements OnModuleInit {
  private readonly logger = new Logger(FilesService.name);

  constructor(
    private readonly files: FilesRepository,
    private readonly versions: FileVersionsRepository,
    private readonly uploads: FileUploadService,
    private readonly blobs: BlobStore,
    private readonly users: UsersService,
    private readonly holders: BlobHolders,
  ) {}

  onModuleInit(): void {
    this.users.onDeletion((user) => this.deleteAllOf(user));
    this.holders.register({ bytesByOwner: (ids) => this.versions.bytesByOwner(ids), isBlobReferenced: (key) => this.versions.isBlobReferenced(key) });
  }

  /** `PUT /files/{filename}`. */
  async putFile(owner: SessionUser, name: string, source: UploadSource): Promise<StoredFileVersionDto> {
    const { file, version } = await this.uploads.store(owner, name, source);
    return toStoredFileVersionDto(file, version);
  }

  /**
   * `POST /upload`: each `file` part is stored as PUT would, all or nothing. Every part is
   * received (blob written, quota reserved) before any becomes a version, so a cut body, a bad
   * name or a full quota in a later part leaves none of the earlier ones behind.
   */
  async uploadParts(owner: SessionUser, parts: AsyncIterable<UploadPart>, atMost: number | undefined): Promise<UploadResultDto> {
    const held: { name: string; contentType: string; upload: HeldUpload }[] = [];
    try {
      for await (const part of parts) {
        const name = assertValidFileName(part.filename);
        const contentType = storedContentType(part.mimeType);
        held.push({ name, contentType, upload: await this.uploads.receive(owner, { stream: part.stream, contentType: part.mimeType, atMost }, { source: 'files', contentType }) });
      }
      if (held.length === 0) throw new BadRequestException({ error: FILE_MESSAGES.noFilePart });
    } catch (error) {
      for (const { upload } of held) await upload.discard();
      throw error;
    }
    const stored: StoredUpload[] = [];
    try {
      for (const { name, contentType, upload } of held) {
        stored.push(await upload.commit(() => this.uploads.commitVersion(owner.id, name, upload, contentType)));
      }
    } catch (error) {
      // A database failure half-way: take back what was committed, drop what was not.
      for (const { upload } of held) await upload.discard();
      for (const done of stored) await this.uploads.undoVersion(done);
      throw error;
    }
    return { message: FILE_MESSAGES.uploadSuccess, files: stored.map(({ file, version }) => toUploadedFileDto(file, version)) };
  }

  listNames(owner: SessionUser): Promise<string[]> {
    return this.files.listNamesByOwner(owner.id);
  }

  async listNamesWithShared(user: SessionUser): Promise<FileListWithSharedDto> {
    const [yours, shared] = await Promise.all([this.files.listNamesByOwner(user.id), this.files.listNamesSharedWith(user.id)]);
    return { your_files: yours, shared_files: shared };
  }

  /** The owner's file by name: its newest version, or the one asked for. */
  async findOwnVersion(owner: SessionUser, name: string, versionNumber?: number): Promise<FileRead> {
    const file = await this.files.findByOwnerAndName(owner.id, name);
    if (!file) throw new NotFoundException({ error: FILE_MESSAGES.fileNotFound });
    const version = versionNumber === undefined ? await this.versions.latest(file.id) : await this.versions.findOne(file.id, versionNumber);
    if (!version) {
      throw new NotFoundException({ error: versionNumber === undefined ? FILE_MESSAGES.fileNotFound : FILE_MESSAGES.versionNotFound(versionNumber) });
    }
    return { file, version };
  }

  /** `POST /download`: the newest version, for the owner or a user the file is shared with. */
  async findReadableLatest(reader: SessionUser, fileId: number): Promise<FileRead> {
    const file = await this.files.findReadableById(reader.id, fileId);
    const version = file ? await this.versions.latest(file.id) : null;
    if (!file || !version) throw new NotFoundException({ error: FILE_MESSAGES.fileNotBelongToUser });
    return { file, version };
  }

  /** The id S4's routes take, for one of the owner's files named as people know it. */
  async findOwnFileId(owner: SessionUser, name: string): Promise<FileIdDto> {
    const { file } = await this.findOwnVersion(owner, name);
    return { id: file.id, name: file.name };
  }

  async listVersions(owner: SessionUser, name: string): Promise<FileVersionDto[]> {
    const file = await this.files.findByOwnerAndName(owner.id, name);
    const versions = file ? await this.versions.listOfFile(file.id) : [];
    if (versions.length === 0) throw new NotFoundException({ error: FILE_MESSAGES.fileNotFound });
    return versions.map(toFileVersionDto);
  }

  /** Removes one version, or every version; the file goes with its last version. */
  async deleteFile(owner: SessionUser, name: string, versionNumber?: number): Promise<void> {
    if (versionNumber !== undefined) {
      const { file, version } = await this.findOwnVersion(owner, name, versionNumber);
      await this.removeVersions(file, [version]);
      return;
    }
    const file = await this.files.findByOwnerAndName(owner.id, name);
    const versions = file ? await this.versions.listOfFile(file.id) : [];
    if (!file || versions.length === 0) throw new NotFoundException({ error: FILE_MESSAGES.fileNotFound });
    await this.removeVersions(file, versions);
  }

  /** The user deletion hook: every file, version and blob of the user. */
  async deleteAllOf(user: SessionUser): Promise<void> {
    const files = await this.files.listByOwner(user.id);
    const versions = await this.versions.listOfOwner(user.id);
    await this.versions.deleteByIds(versions.map((version) => version.id));
    for (const file of files) await this.files.deleteIfEmpty(file.id);
    await this.deleteBlobs(versions);
  }

  /**
   * Rows first, then blobs: a reader never finds a version whose bytes are gone. Only the versions
   * seen are deleted, so an upload that commits meanwhile survives (and keeps the file).
   */
  private async removeVersions(file: StoredFile, versions: FileVersion[]): Promise<void> {
    await this.versions.deleteByIds(versions.map((version) => version.id));
    await this.files.deleteIfEmpty(file.id);
    await this.deleteBlobs(versions);
  }

  private async deleteBlobs(versions: FileVersion[]): Promise<void> {
    for (const version of versions) {
      await this.blobs.delete(version.blobKey).catch((error: unknown) => this.logger.error(`could not remove blob ${version.blobKey}: ${String(error)}`));
    }
  }
}
