import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository } from 'typeorm';
import { DavLock } from './entities/dav-lock.entity';

/** WebDAV locks in the database: every instance sees the same ones. */
@Injectable()
export class DavLocksRepository {
  constructor(@InjectRepository(DavLock) private readonly locks: Repository<DavLock>) {}

  /** The owner's locks that have not expired (expired ones are removed on the way). */
  async listActive(ownerId: number, now = new Date()): Promise<DavLock[]> {
    const rows = await this.locks.findBy({ ownerId });
    const expired = rows.filter((lock) => lock.expiresAt <= now);
    if (expired.length > 0) await this.locks.delete({ id: In(expired.map((lock) => lock.id)) });
    return rows.filter((lock) => lock.expiresAt > now);
  }

  /** The UTF-8 bytes of each owner's lock owners' XML, for the owners that have any. */
  async bytesByOwner(ownerIds: readonly number[]): Promise<Map<number, number>> {
    if (ownerIds.length === 0) return new Map();
    const rows = await this.locks
      .createQueryBuilder('l')
      .select('l.owner_id', 'ownerId')
      .addSelect('SUM(OCTET_LENGTH(l.owner_xml))', 'total')
      .where('l.owner_id IN (:...ownerIds)', { ownerIds })
      .andWhere('l.owner_xml IS NOT NULL')
      .groupBy('l.owner_id')
      .getRawMany<{ ownerId: number | string; total: number | string | null }>();
    return new Map(rows.map((row) => [Number(row.ownerId), Number(row.total ?? 0)]));
  }

  insert(lock: Omit<DavLock, 'id'>): Promise<DavLock> {
    return this.locks.save(this.locks.create(lock));
  }

  async extend(id: number, timeoutSeconds: number, expiresAt: Date): Promise<void> {
    await this.locks.update({ id }, { timeoutSeconds, expiresAt });
  }

  async deleteByIds(ids: readonly number[]): Promise<void> {
    if (ids.length > 0) await this.locks.delete({ id: In([...ids]) });
  }

  /** Removes locks that expired on any user (the sweeper's part). */
  async deleteExpired(now = new Date()): Promise<void> {
    await this.locks.delete({ expiresAt: LessThan(now) });
  }
}
