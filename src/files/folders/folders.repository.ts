import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { insertRow } from '../../database/insert-row';
import { Folder } from '../entities/folder.entity';

const SLICE = 500;

/** Folders, always looked up with their owner: another user's folder is simply not found. */
@Injectable()
export class FoldersRepository {
  constructor(@InjectRepository(Folder) private readonly folders: Repository<Folder>) {}

  findChild(ownerId: number, parentId: number, name: string): Promise<Folder | null> {
    return this.folders.findOneBy({ ownerId, parentId, name });
  }

  findById(ownerId: number, id: number): Promise<Folder | null> {
    return this.folders.findOneBy({ ownerId, id });
  }

  /** The owner's newest folder, or null. */
  newestOfOwner(ownerId: number): Promise<Folder | null> {
    return this.folders.findOne({ where: { ownerId }, order: { id: 'DESC' } });
  }

  /** In byte order of their names. */
  listChildren(ownerId: number, parentId: number): Promise<Folder[]> {
    return this.folders.find({ where: { ownerId, parentId }, order: { name: 'ASC' } });
  }

  /** Inserts the folder; a unique violation (it exists) propagates. */
  insert(ownerId: number, parentId: number, name: string): Promise<Folder> {
    return insertRow(this.folders, { ownerId, parentId, name, createdAt: new Date() });
  }

  /** Moves and renames one folder: one statement, however much it holds. */
  async moveTo(id: number, parentId: number, name: string): Promise<void> {
    await this.folders.update({ id }, { parentId, name });
  }

  /** Takes the folder out of its parent into another, only if it is still where it was seen. */
  async detach(id: number, fromParentId: number, toParentId: number): Promise<boolean> {
    const result = await this.folders.update({ id, parentId: fromParentId }, { parentId: toParentId });
    return result.affected === 1;
  }

  /** The folder and every folder below it, top down: one query per level of depth. */
  async subtree(ownerId: number, id: number): Promise<Folder[]> {
    const root = await this.findById(ownerId, id);
    if (!root) return [];
    const all = [root];
    let level = [root.id];
    while (level.length > 0) {
      const children: Folder[] = [];
      for (let i = 0; i < level.length; i += SLICE) children.push(...(await this.folders.findBy({ ownerId, parentId: In(level.slice(i, i + SLICE)) })));
      all.push(...children);
      level = children.map((folder) => folder.id);
    }
    return all;
  }

  async deleteByIds(ids: readonly number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += SLICE) await this.folders.delete({ id: In(ids.slice(i, i + SLICE)) });
  }
}
