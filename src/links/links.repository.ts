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

  /**
   * Counts one download if the link is still alive: one conditional UPDATE, so that concurrent
   * downloads on any number of instances never go past `max_downloads`.
   */
  async countDownload(id: number, now: Date): Promise<boolean> {
    const result = await this.links
      .createQueryBuilder()
      .update(Link)
      .set({ downloads: () => 'downloads + 1' })
      .where('id = :id', { id })
      .andWhere('expires_at > :now', { now })
      .andWhere('(max_downloads IS NULL OR downloads < max_downloads)')
      .execute();
    return result.affected === 1;
  }
}
