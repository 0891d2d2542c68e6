import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { isUniqueViolation } from '../database/database-errors';
import { insertRow } from '../database/insert-row';
import { FileVersion } from './entities/file-version.entity';
import { StoredFile } from './entities/stored-file.entity';

export type NewFileVersion = Pick<FileVersion, 'blobKey' | 'size' | 'contentType' | 'sha256'>;

/** Concurrent uploads of one name each retry on the unique (file_id, version) index until one number is theirs. */
const MAX_VERSION_ATTEMPTS = 100;
const DELETE_SLICE = 500;

@Injectable()
export class FileVersionsRepository {
  constructor(@InjectRepository(FileVersion) private readonly versions: Repository<FileVersion>) {}

  latest(fileId: number): Promise<FileVersion | null> {
    return this.versions.findOne({ where: { fileId }, order: { version: 'DESC' } });
  }

  /** The owner's newest version of any file (ids grow with time), or null. */
  newestOfOwner(ownerId: number): Promise<FileVersion | null> {
    return this.versions.createQueryBuilder('v').innerJoin(StoredFile, 'f', 'f.id = v.file_id').where('f.owner_id = :ownerId', { ownerId }).orderBy('v.id', 'DESC').limit(1).getOne();
  }

  /** The newest version of each of the files. */
  latestOfFiles(fileIds: number[]): Promise<FileVersion[]> {
    if (fileIds.length === 0) return Promise.resolve([]);
    return this.versions
      .createQueryBuilder('v')
      .where('v.file_id IN (:...fileIds)', { fileIds })
      .andWhere('v.version = (SELECT MAX(v2.version) FROM file_versions v2 WHERE v2.file_id = v.file_id)')
      .getMany();
  }

  findByBlobKey(blobKey: string): Promise<FileVersion | null> {
    return this.versions.findOneBy({ blobKey });
  }

  findOne(fileId: number, version: number): Promise<FileVersion | null> {
    return this.versions.findOneBy({ fileId, version });
  }

  /** Newest first. */
  listOfFile(fileId: number): Promise<FileVersion[]> {
    return this.versions.find({ where: { fileId }, order: { version: 'DESC' } });
  }

  /** Every version of the files. */
  async listOfFiles(fileIds: readonly number[]): Promise<FileVersion[]> {
    const found: FileVersion[] = [];
    for (let i = 0; i < fileIds.length; i += DELETE_SLICE) found.push(...(await this.versions.findBy({ fileId: In(fileIds.slice(i, i + DELETE_SLICE)) })));
    return found;
  }

  /** Every version of every file of the owner. */
  listOfOwner(ownerId: number): Promise<FileVersion[]> {
    return this.versions.createQueryBuilder('v').innerJoin(StoredFile, 'f', 'f.id = v.file_id').where('f.owner_id = :ownerId', { ownerId }).getMany();
  }

  /**
   * Adds the next version of the file. The number is read, then claimed by the insert; when
   * another upload claimed it first, the unique index refuses and the next number is tried.
   */
  async insertNext(fileId: number, version: NewFileVersion): Promise<FileVersion> {
    for (let attempt = 1; ; attempt++) {
      const row = await this.versions
        .createQueryBuilder('v')
        .select('MAX(v.version)', 'max')
        .where('v.file_id = :fileId', { fileId })
        .getRawOne<{ max: number | string | null }>();
      const next = Number(row?.max ?? 0) + 1;
      try {
        return await insertRow(this.versions, { ...version, fileId, version: next, createdAt: new Date() });
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= MAX_VERSION_ATTEMPTS) throw error;
        // The blob key's own unique index: this blob is a version already, and never of two.
        if (await this.isBlobReferenced(version.blobKey)) throw error;
        // A little jitter, so that a crowd of uploads does not collide again in lockstep.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt, 10)));
      }
    }
  }

  async deleteByIds(ids: number[]): Promise<void> {
    // In slices: a user with many files must not hit the databases' limits on bound parameters.
    for (let i = 0; i < ids.length; i += DELETE_SLICE) await this.versions.delete({ id: In(ids.slice(i, i + DELETE_SLICE)) });
  }

  /** Bytes of every version of every file, per owner (owners without files are absent). */
  async bytesByOwner(ownerIds: readonly number[]): Promise<Map<number, number>> {
    if (ownerIds.length === 0) return new Map();
    const rows = await this.versions
      .createQueryBuilder('v')
      .innerJoin(StoredFile, 'f', 'f.id = v.file_id')
      .select('f.owner_id', 'ownerId')
      .addSelect('SUM(v.size)', 'total')
      .where('f.owner_id IN (:...ownerIds)', { ownerIds })
      .groupBy('f.owner_id')
      .getRawMany<{ ownerId: number | string; total: number | string | null }>();
    // SUM comes back as a string from MySQL (DECIMAL).
    return new Map(rows.map((row) => [Number(row.ownerId), Number(row.total ?? 0)]));
  }

  async isBlobReferenced(blobKey: string): Promise<boolean> {
    return (await this.versions.countBy({ blobKey })) > 0;
  }

  async blobKeysIn(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.versions.find({ where: { blobKey: In([...keys]) }, select: { id: true, blobKey: true } });
    return new Set(rows.map((row) => row.blobKey));
  }
}
