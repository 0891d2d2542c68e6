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
import { FilePlace, FileUploadService, HeldUpload, StoredUpload, UploadSource } from './file-upload.service';
import { ROOT_FOLDER_ID } from './entities/folder.entity';
import { FileTreeService, PlaceOptions } from './folders/file-tree.service';
import { formatTreePath, TreePath } from './folders/tree-path';
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

/** `GET /files/{path}/versions` or `/id` where `{path}` is a folder: a file named `versions` (or `id`) in it. */
export type VersionsOrFile<T> = { answer: T } | { file: FileRead };

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
    private readonly tree: FileTreeService,
  ) {}

  onModuleInit(): void {
    this.users.onDeletion((user) => this.deleteAllOf(user));
    this.holders.register({ bytesByOwner: (ids) => this.versions.bytesByOwner(ids), blobKeysIn: (keys) => this.versions.blobKeysIn(keys) });
  }

  /**
   * `PUT /files/{path}` (missing parents created) and WebDAV `PUT` (a missing parent is a
   * conflict): a new version of the file; a file or folder in the way is a conflict.
   */
  async putFile(owner: SessionUser, path: TreePath, source: UploadSource, options: PlaceOptions = { createParents: true }): Promise<StoredFileVersionDto> {
    const name = path[path.length - 1];
    const folderId = await this.tree.prepareParent(owner.id, path, options);
    await this.tree.assertFileSlot(owner.id, folderId, name);
    return this.putFileIn(owner, { folderId, name }, source);
  }

  /**
   * A new version of the file `name` in a folder the caller has checked already (it exists, and
   * no folder there holds the name): WebDAV's PUT, which resolved the path itself.
   */
  async putFileIn(owner: SessionUser, place: FilePlace, source: UploadSource): Promise<StoredFileVersionDto> {
    const stored = await this.uploads.store(owner, place, source);
    await this.tree.assertStillInTree(owner.id, place.folderId, stored);
    return toStoredFileVersionDto(stored.file, stored.version);
  }

  /**
   * `POST /files/{path}/versions/{n}/restore` (CONTRACT §9): version n's bytes become the newest
   * version, through the upload pipeline as any upload (quota, limit, sha256); n stays as it was.
   */
  async restoreVersion(owner: SessionUser, path: TreePath, versionNumber: number): Promise<StoredFileVersionDto> {
    const { file, version } = await this.findOwnVersion(owner, path, versionNumber);
    const stream = await this.blobs.read(version.blobKey);
    return this.putFileIn(owner, { folderId: file.folderId, name: file.name }, { stream, contentType: version.contentType, size: version.size });
  }

  /** Refuses a path where no file can go now (409), before a long upload sends its bytes. */
  assertCanPut(ownerId: number, path: TreePath): Promise<void> {
    return this.tree.assertCanPlaceFile(ownerId, path);
  }

  /**
   * Bytes received already (a finished tus upload) become the newest version of `path`, exactly
   * as a PUT's would: missing parents created, a folder in the way a conflict (the bytes are then
   * dropped with their reservation, or, a resumable upload's, left to its service: HeldUpload.abandon).
   */
  async putHeld(ownerId: number, path: TreePath, held: HeldUpload, contentType: string | undefined): Promise<StoredFileVersionDto> {
    // Committed already by an attempt whose end was lost: that version is the one (a blob key is never in two).
    const earlier = await this.uploads.versionOfBlob(held.key);
    if (earlier) {
      const stored = await held.commit(() => Promise.resolve(earlier));
      return toStoredFileVersionDto(stored.file, stored.version);
    }
    const name = path[path.length - 1];
    let place: FilePlace;
    try {
      const folderId = await this.tree.prepareParent(ownerId, path, { createParents: true });
      await this.tree.assertFileSlot(ownerId, folderId, name);
      place = { folderId, name };
    } catch (error) {
      await held.abandon();
      throw error;
    }
    const stored = await held.commit(() => this.uploads.commitVersion(ownerId, place, held, storedContentType(contentType, name)));
    await this.tree.assertStillInTree(ownerId, place.folderId, stored);
    return toStoredFileVersionDto(stored.file, stored.version);
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
        await this.tree.assertFileSlot(owner.id, ROOT_FOLDER_ID, name);
        const contentType = storedContentType(part.mimeType, name);
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
        stored.push(await upload.commit(() => this.uploads.commitVersion(owner.id, { folderId: ROOT_FOLDER_ID, name }, upload, contentType)));
      }
    } catch (error) {
      // A database failure half-way: take back what was committed, drop what was not.
      for (const { upload } of held) await upload.discard();
      for (const done of stored) await this.uploads.undoVersion(done);
      throw error;
    }
    return { message: FILE_MESSAGES.uploadSuccess, files: stored.map(({ file, version }) => toUploadedFileDto(file, version)) };
  }

  /** `GET /files` (S0): the root's file names, and its folders as `"name/"`, in byte order. */
  async listNames(owner: SessionUser): Promise<string[]> {
    const [files, folders] = await Promise.all([this.files.listRootNamesByOwner(owner.id), this.tree.rootFolderNames(owner.id)]);
    if (folders.length === 0) return files;
    return [...files, ...folders.map((name) => `${name}/`)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  async listNamesWithShared(user: SessionUser): Promise<FileListWithSharedDto> {
    const [yours, shared] = await Promise.all([this.listNames(user), this.files.listNamesSharedWith(user.id)]);
    return { your_files: yours, shared_files: shared };
  }

  /** The owner's file at the path: its newest version, or the one asked for. */
  async findOwnVersion(owner: SessionUser, path: TreePath, versionNumber?: number): Promise<FileRead> {
    const { file, latest } = await this.tree.resolveFile(owner.id, path, FILE_MESSAGES.fileNotFound);
    const version = versionNumber === undefined ? latest : await this.versions.findOne(file.id, versionNumber);
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
  async findOwnFileId(owner: SessionUser, path: TreePath): Promise<FileIdDto> {
    const { file } = await this.findOwnVersion(owner, path);
    return { id: file.id, name: file.name };
  }

  async listVersions(owner: SessionUser, path: TreePath): Promise<FileVersionDto[]> {
    const { file } = await this.tree.resolveFile(owner.id, path, FILE_MESSAGES.fileNotFound);
    return (await this.versions.listOfFile(file.id)).map(toFileVersionDto);
  }

  /**
   * `GET /files/{path}/{suffix}`: a file has no children, so when `{path}` is a file this is
   * about it (`answer`); otherwise `{path}/{suffix}` names a file, served as it is.
   */
  async aboutFileOrFile<T>(owner: SessionUser, path: TreePath, suffix: string, about: (path: TreePath) => Promise<T>): Promise<VersionsOrFile<T>> {
    const node = path.length === 0 ? null : await this.tree.resolve(owner.id, path);
    if (node?.kind === 'file') return { answer: await about(path) };
    if (node?.kind === 'folder') return { file: await this.findOwnVersion(owner, [...path, suffix]) };
    throw new NotFoundException({ error: FILE_MESSAGES.fileNotFound });
  }

  /** Removes one version, or the file with every version (and its properties). */
  async deleteFile(owner: SessionUser, path: TreePath, versionNumber?: number): Promise<void> {
    if (versionNumber !== undefined) {
      const { file, version } = await this.findOwnVersion(owner, path, versionNumber);
      await this.removeVersions(file, [version]);
      return;
    }
    await this.tree.trashNode(owner.id, await this.tree.resolveFile(owner.id, path, FILE_MESSAGES.fileNotFound));
  }

  /** The user deletion hook: every file, version and blob of the user (folders, properties and locks go with the user's row). */
  async deleteAllOf(user: SessionUser): Promise<void> {
    const files = await this.files.listByOwner(user.id);
    const versions = await this.versions.listOfOwner(user.id);
    await this.versions.deleteByIds(versions.map((version) => version.id));
    for (const file of files) await this.files.deleteIfEmpty(file.id);
    await this.deleteBlobs(versions);
  }

  /** Where a stored file is, as a `Location` header: `/files/` and its names, each URL-encoded. */
  static location(path: TreePath): string {
    return `/files/${formatTreePath(path.map(encodeURIComponent))}`;
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
