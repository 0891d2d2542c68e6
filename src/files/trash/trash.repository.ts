import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { insertRow } from '../../database/insert-row';
import { TrashItem } from './trash-item.entity';

@Injectable()
export class TrashRepository {
  constructor(@InjectRepository(TrashItem) private readonly items: Repository<TrashItem>) {}

  insert(item: Omit<TrashItem, 'id'>): Promise<TrashItem> {
    return insertRow(this.items, item);
  }

  /**
   * Puts a claimed item back (a restore that lost a race for its place). It gets a new id: the
   * databases do not all keep an id given for a generated column (PostgreSQL through TypeORM does not).
   */
  async putBack(item: TrashItem): Promise<TrashItem> {
    const { id: _old, ...rest } = item;
    return insertRow(this.items, rest);
  }

  /** Newest first, as a trash is read. */
  listOf(ownerId: number): Promise<TrashItem[]> {
    return this.items.find({ where: { ownerId }, order: { deletedAt: 'DESC', id: 'DESC' } });
  }

  findOwn(ownerId: number, id: number): Promise<TrashItem | null> {
    return this.items.findOneBy({ ownerId, id });
  }

  oldestOf(ownerId: number, limit: number): Promise<TrashItem[]> {
    return this.items.find({ where: { ownerId }, order: { deletedAt: 'ASC', id: 'ASC' }, take: limit });
  }

  deletedBefore(before: Date, limit: number): Promise<TrashItem[]> {
    return this.items.find({ where: { deletedAt: LessThan(before) }, order: { deletedAt: 'ASC' }, take: limit });
  }

  /**
   * Takes the item for whoever restores or purges it: of several instances or requests, exactly
   * one sees `true`.
   */
  async claim(id: number): Promise<boolean> {
    const result = await this.items.delete({ id });
    return result.affected === 1;
  }
}
