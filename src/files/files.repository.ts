import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import { isUniqueViolation } from '../database/database-errors';
import { insertRow } from '../database/insert-row';
import { PreparedQuery } from '../database/prepared-query';
import { ROOT_FOLDER_ID } from './entities/folder.entity';
import { StoredFile } from './entities/stored-file.entity';
import { FileShare } from './entities/file-share.entity';
import { FileVersion } from './entities/file-version.entity';

/** Lists of ids go to the database in slices: a big folder must not hit the limits on bound parameters. */
const SLICE = 500;

export interface OwnerUsage {
  ownerId: number;
  fileCount: number;
  bytesStored: number;
}

/**
 * Files are always looked up with their owner (or a share to the reader), so that another
 * user's file is simply not found. A file row without versions exists only for the moment
 * between its creation and its first version's commit: queries that list or serve files
 * look only at files that have a version.
 */
@Injectable()
export class FilesRepository {
  /** The owner's root file names that hold at least one version, in byte order: `GET /files`. */
  private readonly namesByOwner: PreparedQuery<{ ownerId: number }, Pick<StoredFile, 'name'>>;

  constructor(@InjectRepository(StoredFile) private readonly files: Repository<StoredFile>) {
    this.namesByOwner = PreparedQuery.select(files, 'f', ['name'], (qb, p) =>
      qb
        .where('f.owner_id = :ownerId', { ownerId: p.ownerId })
        .andWhere(`f.folder_id = ${ROOT_FOLDER_ID}`)
        .andWhere(`EXISTS (SELECT 1 FROM file_versions v WHERE v.file_id = f.id)`)
        .orderBy('f.name', 'ASC'),
    );
  }

  findInFolder(ownerId: number, folderId: number, name: string): Promise<StoredFile | null> {
    return this.files.findOneBy({ ownerId, folderId, name });
  }

  /** The files of the folder that hold at least one version, in byte order of their names. */
  listInFolder(ownerId: number, folderId: number): Promise<StoredFile[]> {
    return this.files
      .createQueryBuilder('f')
      .where('f.owner_id = :ownerId AND f.folder_id = :folderId', { ownerId, folderId })
      .andWhere(`EXISTS (SELECT 1 FROM file_versions v WHERE v.file_id = f.id)`)
      .orderBy('f.name', 'ASC')
      .getMany();
  }

  /** Every file in any of the folders, with or without versions. */
  async listInFolders(ownerId: number, folderIds: readonly number[]): Promise<StoredFile[]> {
    const found: StoredFile[] = [];
    for (let i = 0; i < folderIds.length; i += SLICE) {
      found.push(...(await this.files.findBy({ ownerId, folderId: In(folderIds.slice(i, i + SLICE)) })));
    }
    return found;
  }

  /** Moves and renames one file: one statement, whatever it holds. */
  async moveTo(id: number, folderId: number, name: string): Promise<void> {
    await this.files.update({ id }, { folderId, name });
  }

  /** Takes the file out of its folder into another, only if it is still where it was seen. */
  async detach(id: number, fromFolderId: number, toFolderId: number): Promise<boolean> {
    const result = await this.files.update({ id, folderId: fromFolderId }, { folderId: toFolderId });
    return result.affected === 1;
  }

  /** Marks files as gone with a trash item (or back in the tree, with null). */
  async setTrashId(ids: readonly number[], trashId: number | null): Promise<void> {
    for (let i = 0; i < ids.length; i += SLICE) await this.files.update({ id: In(ids.slice(i, i + SLICE)) }, { trashId });
  }

  /** The file by id, whoever owns it, in the tree or in the trash. */
  findById(id: number): Promise<StoredFile | null> {
    return this.files.findOneBy({ id });
  }

  /** The owner's file by id, in the tree or in the trash. */
  findInTreeOrTrash(ownerId: number, id: number): Promise<StoredFile | null> {
    return this.files.findOneBy({ ownerId, id });
  }

  /** The owner's file by id, unless it is in the trash. */
  findByOwnerAndId(ownerId: number, id: number): Promise<StoredFile | null> {
    return this.files.findOneBy({ ownerId, id, trashId: IsNull() });
  }

  /** Files by id, leaving out those in the trash. */
  findByIds(ids: number[]): Promise<StoredFile[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.files.findBy({ id: In(ids), trashId: IsNull() });
  }

  /** The file if the reader owns it or it is shared with them, and it is not in the trash. */
  findReadableById(readerId: number, id: number): Promise<StoredFile | null> {
    return this.files
      .createQueryBuilder('f')
      .leftJoin(FileShare, 's', 's.file_id = f.id AND s.user_id = :readerId', { readerId })
      .where('f.id = :id AND f.trash_id IS NULL', { id })
      .andWhere('(f.owner_id = :readerId OR s.id IS NOT NULL)', { readerId })
      .getOne();
  }

  /** Creates the owner's row for the name, or finds it when it exists (the unique index decides). */
  async findOrCreate(ownerId: number, folderId: number, name: string): Promise<StoredFile> {
    const existing = await this.findInFolder(ownerId, folderId, name);
    if (existing) return existing;
    try {
      return await insertRow(this.files, { ownerId, folderId, name, trashId: null, createdAt: new Date() });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.findInFolder(ownerId, folderId, name);
      if (!winner) throw error;
      return winner;
    }
  }

  /** The owner's root file names that hold at least one version, in byte order. */
  async listRootNamesByOwner(ownerId: number): Promise<string[]> {
    const rows = await this.namesByOwner.run({ ownerId });
    return rows.map((row) => row.name);
  }

  /** Names of the files shared with the user, in byte order. */
  async listNamesSharedWith(userId: number): Promise<string[]> {
    const rows = await this.files
      .createQueryBuilder('f')
      .innerJoin(FileShare, 's', 's.file_id = f.id')
      .select('f.name', 'name')
      .where('s.user_id = :userId AND f.trash_id IS NULL', { userId })
      .andWhere(`EXISTS (SELECT 1 FROM file_versions v WHERE v.file_id = f.id)`)
      .orderBy('f.name', 'ASC')
      .addOrderBy('f.id', 'ASC')
      .getRawMany<{ name: string }>();
    return rows.map((row) => row.name);
  }

  listByOwner(ownerId: number): Promise<StoredFile[]> {
    return this.files.find({ where: { ownerId }, order: { id: 'ASC' } });
  }

  /**
   * Deletes the file (and with it its shares) only if no version is left: an upload that
   * committed a version meanwhile keeps the file alive.
   */
  async deleteByIds(ids: readonly number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += SLICE) await this.files.delete({ id: In(ids.slice(i, i + SLICE)) });
  }

  async deleteIfEmpty(id: number): Promise<void> {
    await this.files
      .createQueryBuilder()
      .delete()
      .from(StoredFile)
      .where('id = :id', { id })
      .andWhere(`NOT EXISTS (SELECT 1 FROM file_versions v WHERE v.file_id = :id)`, { id })
      .execute();
  }

  /** Number of files outside the trash, and bytes of all versions (trash included), per owner (absent owners store nothing). */
  async usageOf(ownerIds: number[]): Promise<OwnerUsage[]> {
    if (ownerIds.length === 0) return [];
    const rows = await this.files
      .createQueryBuilder('f')
      .innerJoin(FileVersion, 'v', 'v.file_id = f.id')
      .select('f.owner_id', 'ownerId')
      // Files in the trash still hold bytes (the quota counts them), but are no longer files to list.
      .addSelect('COUNT(DISTINCT CASE WHEN f.trash_id IS NULL THEN f.id END)', 'fileCount')
      .addSelect('SUM(v.size)', 'bytesStored')
      .where('f.owner_id IN (:...ownerIds)', { ownerIds })
      .groupBy('f.owner_id')
      .getRawMany<{ ownerId: number | string; fileCount: number | string; bytesStored: number | string | null }>();
    // SUM and COUNT come back as strings from MySQL (DECIMAL, BIGINT).
    return rows.map((row) => ({ ownerId: Number(row.ownerId), fileCount: Number(row.fileCount), bytesStored: Number(row.bytesStored ?? 0) }));
  }
}
