import { Injectable, Logger } from '@nestjs/common';
import { BlobStore } from '../../storage/blob-store';
import { StoredFile } from '../entities/stored-file.entity';
import { FileVersionsRepository } from '../file-versions.repository';
import { FilesRepository } from '../files.repository';
import { ResourcePropertiesRepository } from '../properties/resource-properties.repository';
import { FoldersRepository } from './folders.repository';

/** A file, or a folder with everything below it, by id: also when it is in the trash. */
export interface NodeRef {
  kind: 'file' | 'folder';
  id: number;
}

export interface NodeContents {
  folderIds: number[];
  files: StoredFile[];
}

/**
 * What lies under a node, and removing it for good. Used by the tree (a failed copy), the trash
 * (delete, empty, purge) and the upload path (making room), so that there is one way to do it.
 */
@Injectable()
export class TreeRemover {
  private readonly logger = new Logger(TreeRemover.name);

  constructor(
    private readonly folders: FoldersRepository,
    private readonly files: FilesRepository,
    private readonly versions: FileVersionsRepository,
    private readonly properties: ResourcePropertiesRepository,
    private readonly blobs: BlobStore,
  ) {}

  async contentsOf(ownerId: number, node: NodeRef): Promise<NodeContents> {
    if (node.kind === 'file') {
      const file = await this.files.findInTreeOrTrash(ownerId, node.id);
      return { folderIds: [], files: file ? [file] : [] };
    }
    const folderIds = await this.subtreeIds(ownerId, node.id);
    return { folderIds, files: await this.files.listInFolders(ownerId, folderIds) };
  }

  private async subtreeIds(ownerId: number, folderId: number): Promise<number[]> {
    return (await this.folders.subtree(ownerId, folderId)).map((folder) => folder.id);
  }

  /** Bytes of every version under the node: what it counts toward the quota. */
  async sizeOf(contents: NodeContents): Promise<number> {
    const versions = await this.versions.listOfFiles(contents.files.map((file) => file.id));
    return versions.reduce((sum, version) => sum + version.size, 0);
  }

  /**
   * Deletes the node with all it holds, for good: folders first, so that an upload committing
   * into one of them finds it gone and takes its version back (FilesService.putFile); then
   * rows, then bytes, so that a reader never finds a version whose bytes are gone.
   */
  async remove(ownerId: number, node: NodeRef): Promise<void> {
    const folderIds = node.kind === 'folder' ? await this.subtreeIds(ownerId, node.id) : [];
    await this.folders.deleteByIds(folderIds);
    // Listed after the folders went: a file that committed into one meanwhile goes too.
    const files = node.kind === 'folder' ? await this.files.listInFolders(ownerId, folderIds) : (await this.contentsOf(ownerId, node)).files;
    const fileIds = files.map((file) => file.id);
    const versions = await this.versions.listOfFiles(fileIds);
    await this.versions.deleteByIds(versions.map((version) => version.id));
    await this.files.deleteByIds(fileIds);
    await this.properties.deleteOf('file', fileIds);
    await this.properties.deleteOf('folder', folderIds);
    for (const version of versions) {
      await this.blobs.delete(version.blobKey).catch((error: unknown) => this.logger.error(`could not remove blob ${version.blobKey}: ${String(error)}`));
    }
  }
}
