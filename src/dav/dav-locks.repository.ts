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
