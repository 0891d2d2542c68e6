import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { insertRow } from '../database/insert-row';
import { Link } from './link.entity';

export type LinkChanges = Partial<Pick<Link, 'passwordHash' | 'expiresAt' | 'maxDownloads'>>;

@Injectable()
export class LinksRepository {
  constructor(@InjectRepository(Link) private readonly links: Repository<Link>) {}

  insert(link: Omit<Link, 'id'>): Promise<Link> {
    return insertRow(this.links, link);
  }

  listOf(ownerId: number): Promise<Link[]> {
    return this.links.find({ where: { ownerId }, order: { createdAt: 'DESC', id: 'DESC' } });
  }

  findOwn(ownerId: number, id: number): Promise<Link | null> {
    return this.links.findOneBy({ ownerId, id });
  }

  findByTokenHash(tokenHash: string): Promise<Link | null> {
    return this.links.findOneBy({ tokenHash });
  }

  async update(id: number, changes: LinkChanges): Promise<void> {
    await this.links.update({ id }, changes);
  }

  async delete(ownerId: number, id: number): Promise<boolean> {
    return (await this.links.delete({ ownerId, id })).affected === 1;
  }

  findById(id: number): Promise<Link | null> {
    return this.links.findOneBy({ id });
  }

  /**
   * Adds `bytes` to what the link has sent if the sum stays within `limit` (none: no limit) and
   * the link is alive: one conditional UPDATE, in which the database checks and adds in one
   * step, so that concurrent answers on any number of instances never together pass the limit.
   * `limit` was computed from `maxDownloads`: if the owner changed that meanwhile, nothing is
   * added and the caller computes again. `downloads` follows, in files of `unit` bytes.
   */
  async reserveBytes(id: number, reservation: { bytes: number; unit: number; limit: number | null; maxDownloads: number | null; now: Date }): Promise<boolean> {
    const { bytes, unit, limit, maxDownloads, now } = reservation;
    const query = this.links
      .createQueryBuilder()
      .update(Link)
      // `downloads` first: MySQL evaluates assignments left to right, each seeing the ones before.
      .set({ downloads: () => this.wholeFiles('bytes_served + :bytes'), bytesServed: () => 'bytes_served + :bytes' })
      .where('id = :id', { id, bytes, unit })
      .andWhere('expires_at > :now', { now });
    if (maxDownloads === null) query.andWhere('max_downloads IS NULL');
    else query.andWhere('max_downloads = :maxDownloads', { maxDownloads });
    if (limit !== null) query.andWhere('bytes_served + :bytes <= :limit', { limit });
    return (await query.execute()).affected === 1;
  }

  /** Takes back bytes that were reserved by `reserveBytes` but never sent. */
  async releaseBytes(id: number, bytes: number, unit: number): Promise<void> {
    await this.links
      .createQueryBuilder()
      .update(Link)
      .set({ downloads: () => this.wholeFiles('bytes_served - :bytes'), bytesServed: () => 'bytes_served - :bytes' })
      .where('id = :id', { id, bytes, unit })
      .andWhere('bytes_served >= :bytes')
      .execute();
  }

  /** `bytes` (an SQL expression) divided by `:unit`, rounded down, in each database's words. */
  private wholeFiles(bytes: string): string {
    switch (this.links.manager.connection.options.type) {
      case 'mysql':
        return `(${bytes}) DIV :unit`;
      case 'postgres':
        return `(${bytes}) / :unit`;
      default:
        // better-sqlite3 binds every JavaScript number as a REAL, so `/` divides exactly.
        return `CAST((${bytes}) / :unit AS INTEGER)`;
    }
  }
}
