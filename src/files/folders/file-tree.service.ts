import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { isUniqueViolation } from '../../database/database-errors';
import { BlobStore } from '../../storage/blob-store';
import { SessionUser } from '../../users/user.entity';
import { FileVersion } from '../entities/file-version.entity';
import { Folder, ROOT_FOLDER_ID } from '../entities/folder.entity';
import { StoredFile } from '../entities/stored-file.entity';
import { FileSharesRepository } from '../file-shares.repository';
import { TrashItem, trashParentId } from '../trash/trash-item.entity';
import { TRASH_MESSAGES } from '../trash/trash.constants';
import { TrashRepository } from '../trash/trash.repository';
import { FileUploadService, StoredUpload } from '../file-upload.service';
import { FileVersionsRepository } from '../file-versions.repository';
import { FilesRepository } from '../files.repository';
import { ResourcePropertiesRepository } from '../properties/resource-properties.repository';
import { FOLDER_MESSAGES } from './folders.constants';
import { FoldersRepository } from './folders.repository';
import { formatTreePath, isWithin, parentOf, TreePath } from './tree-path';
import { NodeRef, TreeRemover } from './tree-remover';

/** What a path names in a user's tree. The root is a folder with id 0 and no row. */
export type TreeNode = FolderNode | FileNode;
export interface FolderNode {
  kind: 'folder';
  id: number;
  /** null for the root. */
  folder: Folder | null;
  path: TreePath;
}
export interface FileNode {
  kind: 'file';
  file: StoredFile;
  /** Its newest version. */
  latest: FileVersion;
  path: TreePath;
}

/** Why a change to the tree was refused; REST answers 409 for all, WebDAV tells `exists` apart (412). */
export type TreeConflictReason = 'exists' | 'parent-missing' | 'parent-is-file' | 'is-folder' | 'into-itself';

export class TreeConflictError extends ConflictException {
  constructor(readonly reason: TreeConflictReason) {
    super({ error: CONFLICT_MESSAGES[reason] });
  }
}

const CONFLICT_MESSAGES: Record<TreeConflictReason, string> = {
  exists: FOLDER_MESSAGES.exists,
  'parent-missing': FOLDER_MESSAGES.parentMissing,
  'parent-is-file': FOLDER_MESSAGES.parentIsFile,
  'is-folder': FOLDER_MESSAGES.isFolder,
  'into-itself': FOLDER_MESSAGES.intoItself,
};

export interface PlaceOptions {
  /** Create missing parent folders (REST); otherwise a missing parent is a conflict (WebDAV, RFC 4918 §9.3.1). */
  createParents: boolean;
}

export interface TransferOptions extends PlaceOptions {
  /** Replace what is at the target; otherwise an occupied target is a conflict. */
  overwrite: boolean;
}

export interface FolderContents {
  folders: Folder[];
  files: { file: StoredFile; latest: FileVersion; shared: boolean }[];
}

/**
 * The shape of a user's tree (CONTRACT §5): paths to files and folders, one namespace per folder,
 * creating, listing, moving, copying and deleting. REST and WebDAV both come here, so there is
 * one set of rules. Every lookup carries the owner: another user's tree is never reachable.
 */
@Injectable()
export class FileTreeService {
  constructor(
    private readonly folders: FoldersRepository,
    private readonly files: FilesRepository,
    private readonly versions: FileVersionsRepository,
    private readonly shares: FileSharesRepository,
    private readonly properties: ResourcePropertiesRepository,
    private readonly uploads: FileUploadService,
    private readonly blobs: BlobStore,
    private readonly remover: TreeRemover,
    private readonly trash: TrashRepository,
  ) {}

  /** The folder at the path, or null when it is missing or a file. One query per name. */
  async findFolderId(ownerId: number, path: TreePath): Promise<number | null> {
    let id = ROOT_FOLDER_ID;
    for (const name of path) {
      const child = await this.folders.findChild(ownerId, id, name);
      if (!child) return null;
      id = child.id;
    }
    return id;
  }

  async resolve(ownerId: number, path: TreePath): Promise<TreeNode | null> {
    if (path.length === 0) return { kind: 'folder', id: ROOT_FOLDER_ID, folder: null, path };
    const parentId = await this.findFolderId(ownerId, parentOf(path));
    if (parentId === null) return null;
    return this.childOf(ownerId, parentId, path);
  }

  /**
   * When the owner's tree last changed, as far as rows tell: the newest version or folder (the
   * root's modification time; the epoch for an empty tree).
   */
  async newestChange(ownerId: number): Promise<Date> {
    const [version, folder] = await Promise.all([this.versions.newestOfOwner(ownerId), this.folders.newestOfOwner(ownerId)]);
    return new Date(Math.max(version?.createdAt.getTime() ?? 0, folder?.createdAt.getTime() ?? 0));
  }

  /** The file at the path, with its newest version, or 404. */
  async resolveFile(ownerId: number, path: TreePath, notFound: string): Promise<FileNode> {
    const node = path.length === 0 ? null : await this.resolve(ownerId, path);
    if (node?.kind !== 'file') throw new NotFoundException({ error: notFound });
    return node;
  }

  /** What `path` names, when its parent folder is already known. */
  async childOf(ownerId: number, parentId: number, path: TreePath): Promise<TreeNode | null> {
    const name = path[path.length - 1];
    const folder = await this.folders.findChild(ownerId, parentId, name);
    if (folder) return { kind: 'folder', id: folder.id, folder, path };
    const file = await this.files.findInFolder(ownerId, parentId, name);
    // A file row without a version exists only while its first upload commits.
    const latest = file ? await this.versions.latest(file.id) : null;
    return file && latest ? { kind: 'file', file, latest, path } : null;
  }

  /** The file by id with its newest version, unless it is in the trash or has no version yet. */
  async liveFile(ownerId: number, fileId: number): Promise<{ file: StoredFile; latest: FileVersion } | null> {
    const file = await this.files.findByOwnerAndId(ownerId, fileId);
    const latest = file ? await this.versions.latest(file.id) : null;
    return file && latest ? { file, latest } : null;
  }

  /** Where a file is now, or null when it, or a folder above it, is in the trash. */
  async pathOfFile(file: StoredFile): Promise<TreePath | null> {
    if (file.trashId !== null) return null;
    const names = [file.name];
    let id = file.folderId;
    while (id !== ROOT_FOLDER_ID) {
      const folder = id > 0 ? await this.folders.findById(file.ownerId, id) : null;
      if (!folder) return null;
      names.unshift(folder.name);
      id = folder.parentId;
    }
    return names;
  }

  /**
   * Where a new file or folder at `path` goes: its parent's id, created when missing and allowed.
   * A file in the way of a parent, or a missing parent when not allowed, is a conflict.
   */
  async prepareParent(ownerId: number, path: TreePath, options: PlaceOptions): Promise<number> {
    let id = ROOT_FOLDER_ID;
    for (const name of parentOf(path)) {
      const child = await this.folders.findChild(ownerId, id, name);
      if (child) {
        id = child.id;
        continue;
      }
      if (await this.files.findInFolder(ownerId, id, name)) throw new TreeConflictError('parent-is-file');
      if (!options.createParents) throw new TreeConflictError('parent-missing');
      id = (await this.insertFolder(ownerId, id, name, true)).id;
    }
    return id;
  }

  /**
   * Whether a file could be put at `path` now (missing parents would be created): a file on the
   * way or a folder at the place is a conflict. Creates nothing; a long upload asks before its
   * first byte (the answer can change before it ends, and is checked again then).
   */
  async assertCanPlaceFile(ownerId: number, path: TreePath): Promise<void> {
    let id = ROOT_FOLDER_ID;
    for (const name of parentOf(path)) {
      const child = await this.folders.findChild(ownerId, id, name);
      if (!child) {
        if (await this.files.findInFolder(ownerId, id, name)) throw new TreeConflictError('parent-is-file');
        return;
      }
      id = child.id;
    }
    await this.assertFileSlot(ownerId, id, path[path.length - 1]);
  }

  /** A file may be written at `path` in that folder: no folder holds its name. */
  async assertFileSlot(ownerId: number, folderId: number, name: string): Promise<void> {
    if (await this.folders.findChild(ownerId, folderId, name)) throw new TreeConflictError('is-folder');
  }

  /** `POST /folders/{path}`, WebDAV MKCOL. */
  async createFolder(ownerId: number, path: TreePath, options: PlaceOptions): Promise<Folder> {
    if (path.length === 0) throw new TreeConflictError('exists');
    const parentId = await this.prepareParent(ownerId, path, options);
    return this.insertFolder(ownerId, parentId, path[path.length - 1], false);
  }

  /**
   * Inserts a folder unless a file holds its name. When `reuse`, a folder that appeared meanwhile
   * (a concurrent upload creating the same parents) is taken as it is.
   */
  private async insertFolder(ownerId: number, parentId: number, name: string, reuse: boolean): Promise<Folder> {
    if (await this.files.findInFolder(ownerId, parentId, name)) throw new TreeConflictError(reuse ? 'parent-is-file' : 'exists');
    try {
      return await this.folders.insert(ownerId, parentId, name);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = reuse ? await this.folders.findChild(ownerId, parentId, name) : null;
      if (!existing) throw new TreeConflictError('exists');
      return existing;
    }
  }

  async listFolder(ownerId: number, folderId: number): Promise<FolderContents> {
    const [folders, files] = await Promise.all([this.folders.listChildren(ownerId, folderId), this.files.listInFolder(ownerId, folderId)]);
    const ids = files.map((file) => file.id);
    const [latest, shared] = await Promise.all([this.versions.latestOfFiles(ids), this.shares.sharedAmong(ids)]);
    const byFile = new Map(latest.map((version) => [version.fileId, version]));
    return {
      folders,
      files: files.flatMap((file) => {
        const version = byFile.get(file.id);
        return version ? [{ file, latest: version, shared: shared.has(file.id) }] : [];
      }),
    };
  }

  /** Names of the root's folders, byte order: what `GET /files` adds as `"name/"`. */
  async rootFolderNames(ownerId: number): Promise<string[]> {
    return (await this.folders.listChildren(ownerId, ROOT_FOLDER_ID)).map((folder) => folder.name);
  }

  /**
   * Deletes a file or a folder (REST, WebDAV; CONTRACT §9): it goes to its owner's trash. Its top
   * row is taken out of the tree in one statement, so it is gone from every path at once; the
   * files under it are marked, so that shares and links to them stop too.
   */
  async trashNode(ownerId: number, node: TreeNode): Promise<TrashItem> {
    if (node.kind === 'folder' && node.id === ROOT_FOLDER_ID) throw new BadRequestException({ error: FOLDER_MESSAGES.rootIsNotDeletable });
    const ref: NodeRef = node.kind === 'file' ? { kind: 'file', id: node.file.id } : { kind: 'folder', id: node.id };
    const contents = node.kind === 'file' ? { folderIds: [], files: [node.file] } : await this.remover.contentsOf(ownerId, ref);
    const item = await this.trash.insert({
      ownerId,
      nodeType: ref.kind,
      nodeId: ref.id,
      path: formatTreePath(node.path),
      size: await this.remover.sizeOf(contents),
      deletedAt: new Date(),
    });
    const fromParent = node.kind === 'file' ? node.file.folderId : (node.folder?.parentId ?? ROOT_FOLDER_ID);
    const detached = node.kind === 'file' ? await this.files.detach(ref.id, fromParent, trashParentId(item.id)) : await this.folders.detach(ref.id, fromParent, trashParentId(item.id));
    if (!detached) {
      // Moved or deleted by someone else since it was found.
      await this.trash.claim(item.id);
      throw new NotFoundException({ error: FOLDER_MESSAGES.notFound });
    }
    await this.files.setTrashId(
      contents.files.map((file) => file.id),
      item.id,
    );
    return item;
  }

  /**
   * Puts a trash item back at `to` (its old path by default), creating missing parents; an
   * occupied place is a conflict and the item stays in the trash.
   */
  async restoreNode(ownerId: number, item: TrashItem, to: TreePath): Promise<void> {
    if (to.length === 0) throw new TreeConflictError('exists');
    const name = to[to.length - 1];
    // A taken place is refused before the item is touched; a missing parent means nothing is there.
    const knownParent = await this.findFolderId(ownerId, parentOf(to));
    if (knownParent !== null && ((await this.childOf(ownerId, knownParent, to)) || (await this.files.findInFolder(ownerId, knownParent, name)))) {
      throw new TreeConflictError('exists');
    }
    // Claimed before any folder is made, so that a purge running now cannot remove it under the restore.
    if (!(await this.trash.claim(item.id))) throw new NotFoundException({ error: TRASH_MESSAGES.notFound });
    const ref: NodeRef = { kind: item.nodeType, id: item.nodeId };
    try {
      const parentId = await this.prepareParent(ownerId, to, { createParents: true });
      if (item.nodeType === 'file') await this.files.moveTo(item.nodeId, parentId, name);
      else await this.folders.moveTo(item.nodeId, parentId, name);
    } catch (error) {
      // Something took the place (or a parent became a file) since the check: back to the trash.
      await this.trash.putBack(item);
      if (isUniqueViolation(error)) throw new TreeConflictError('exists');
      throw error;
    }
    const contents = await this.remover.contentsOf(ownerId, ref);
    await this.files.setTrashId(
      contents.files.map((file) => file.id),
      null,
    );
  }

  /** Whether the folder (or the root) is still in the tree: uploads check after committing into it. */
  async folderExists(ownerId: number, folderId: number): Promise<boolean> {
    // Up to the root: a folder under one that went to the trash is not in the tree either.
    for (let id = folderId; id !== ROOT_FOLDER_ID; ) {
      const folder = id > 0 ? await this.folders.findById(ownerId, id) : null;
      if (!folder) return false;
      id = folder.parentId;
    }
    return true;
  }

  /** A version committed into a folder that was deleted meanwhile is taken back: 409, nothing left behind. */
  async assertStillInTree(ownerId: number, folderId: number, stored: StoredUpload): Promise<void> {
    if (await this.folderExists(ownerId, folderId)) return;
    await this.uploads.undoVersion(stored);
    throw new TreeConflictError('parent-missing');
  }

  /**
   * `POST /move`, WebDAV MOVE: one UPDATE of the moved row, so a file keeps its id, versions and
   * shares, and a folder of any size moves in constant time. Returns whether the target was new.
   */
  async move(ownerId: number, from: TreePath, to: TreePath, options: TransferOptions): Promise<{ created: boolean }> {
    const { source, parentId, replaced } = await this.prepareTransfer(ownerId, from, to, options);
    if (replaced === 'same') return { created: false };
    const name = to[to.length - 1];
    if (source.kind === 'file') await this.files.moveTo(source.file.id, parentId, name);
    else await this.folders.moveTo(source.id, parentId, name);
    return { created: replaced === null };
  }

  /**
   * `POST /copy`, WebDAV COPY: new files with one version each (the newest), through the same
   * upload pipeline as a PUT (quota, limits). With `shallow`, a folder is copied without its
   * contents (WebDAV `Depth: 0`). A failure half-way removes what the copy made.
   */
  async copy(owner: SessionUser, from: TreePath, to: TreePath, options: TransferOptions & { shallow?: boolean }): Promise<{ created: boolean }> {
    const { source, parentId, replaced } = await this.prepareTransfer(owner.id, from, to, options);
    if (replaced === 'same') return { created: false };
    const name = to[to.length - 1];
    if (source.kind === 'file') {
      await this.copyFile(owner, source.file, source.latest, parentId, name);
      return { created: replaced === null };
    }
    const made = await this.insertFolder(owner.id, parentId, name, false);
    try {
      await this.properties.copy('folder', source.id, made.id);
      if (!options.shallow) await this.copyContents(owner, source.id, made.id);
    } catch (error) {
      await this.remover.remove(owner.id, { kind: 'folder', id: made.id });
      throw error;
    }
    return { created: replaced === null };
  }

  private async copyContents(owner: SessionUser, fromId: number, toId: number): Promise<void> {
    const contents = await this.listFolder(owner.id, fromId);
    for (const { file, latest } of contents.files) await this.copyFile(owner, file, latest, toId, file.name);
    for (const folder of contents.folders) {
      const made = await this.insertFolder(owner.id, toId, folder.name, false);
      await this.properties.copy('folder', folder.id, made.id);
      await this.copyContents(owner, folder.id, made.id);
    }
  }

  private async copyFile(owner: SessionUser, file: StoredFile, latest: FileVersion, folderId: number, name: string): Promise<void> {
    const stream = await this.blobs.read(latest.blobKey);
    const held = await this.uploads.receive(owner, { stream, contentType: latest.contentType, size: latest.size }, { source: 'files', contentType: latest.contentType });
    const stored = await held.commit(() => this.uploads.commitVersion(owner.id, { folderId, name }, held, latest.contentType));
    await this.assertStillInTree(owner.id, folderId, stored);
    await this.properties.copy('file', file.id, stored.file.id);
  }

  /**
   * The checks MOVE and COPY share: the source exists and is not the root, the target's parent
   * is there (or made), a folder does not go into itself, and an occupied target is replaced
   * only when allowed. `replaced` is 'same' when source and target are one resource.
   */
  private async prepareTransfer(ownerId: number, from: TreePath, to: TreePath, options: TransferOptions): Promise<{ source: TreeNode; parentId: number; replaced: TreeNode | null | 'same' }> {
    if (from.length === 0 || to.length === 0) throw new BadRequestException({ error: FOLDER_MESSAGES.rootIsNotMovable });
    const source = await this.resolve(ownerId, from);
    if (!source) throw new NotFoundException({ error: FOLDER_MESSAGES.notFound });
    if (formatTreePath(from) === formatTreePath(to)) return { source, parentId: 0, replaced: 'same' };
    if (source.kind === 'folder' && isWithin(to, from)) throw new TreeConflictError('into-itself');
    const parentId = await this.prepareParent(ownerId, to, options);
    const existing = await this.childOf(ownerId, parentId, to);
    if (existing) {
      if (!options.overwrite) throw new TreeConflictError('exists');
      // What an overwrite replaces goes to the trash, as a delete does: nothing is lost by a mistaken MOVE.
      await this.trashNode(ownerId, existing);
    } else {
      // A name held by a file row still waiting for its first version is not free either.
      const pending = await this.files.findInFolder(ownerId, parentId, to[to.length - 1]);
      if (pending) throw new TreeConflictError('exists');
    }
    return { source, parentId, replaced: existing };
  }
}
