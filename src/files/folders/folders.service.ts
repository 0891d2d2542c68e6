import { Injectable, NotFoundException } from '@nestjs/common';
import { SessionUser } from '../../users/user.entity';
import { FileTreeService } from './file-tree.service';
import { FolderListingDto, TransferDto, TreePathDto } from './folder.dto';
import { FOLDER_MESSAGES } from './folders.constants';
import { formatTreePath, parseTreePath, TreePath } from './tree-path';

/** The REST face of the tree (CONTRACT §5): the rules are the FileTreeService's, shared with WebDAV. */
@Injectable()
export class FoldersService {
  constructor(private readonly tree: FileTreeService) {}

  async listFolder(owner: SessionUser, path: TreePath): Promise<FolderListingDto> {
    const id = await this.tree.findFolderId(owner.id, path);
    if (id === null) throw new NotFoundException({ error: FOLDER_MESSAGES.folderNotFound });
    const { folders, files } = await this.tree.listFolder(owner.id, id);
    return {
      path: formatTreePath(path),
      folders: folders.map((folder) => ({ name: folder.name, createdAt: folder.createdAt.toISOString() })),
      files: files.map(({ file, latest, shared }) => ({
        id: file.id,
        name: file.name,
        version: latest.version,
        size: latest.size,
        contentType: latest.contentType,
        sha256: latest.sha256,
        updatedAt: latest.createdAt.toISOString(),
        shared,
      })),
    };
  }

  async createFolder(owner: SessionUser, path: TreePath): Promise<TreePathDto> {
    await this.tree.createFolder(owner.id, path, { createParents: true });
    return { path: formatTreePath(path) };
  }

  async deleteFolder(owner: SessionUser, path: TreePath): Promise<void> {
    const node = await this.tree.resolve(owner.id, path);
    if (node?.kind !== 'folder') throw new NotFoundException({ error: FOLDER_MESSAGES.folderNotFound });
    await this.tree.trashNode(owner.id, node);
  }

  async move(owner: SessionUser, body: TransferDto): Promise<TreePathDto> {
    const to = parseTreePath(body.to);
    await this.tree.move(owner.id, parseTreePath(body.from), to, { overwrite: body.overwrite === true, createParents: true });
    return { path: formatTreePath(to) };
  }

  async copy(owner: SessionUser, body: TransferDto): Promise<TreePathDto> {
    const to = parseTreePath(body.to);
    await this.tree.copy(owner, parseTreePath(body.from), to, { overwrite: body.overwrite === true, createParents: true });
    return { path: formatTreePath(to) };
  }
}
