import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, LessThan, Repository } from 'typeorm';
import { PreparedQuery } from '../database/prepared-query';
import { ResumableUpload } from './entities/resumable-upload.entity';

const COLUMNS = [
  'id',
  'ownerId',
  'path',
  'contentType',
  'metadata',
  'length',
  'received',
  'durable',
  'blobKey',
  'storageState',
  'reservationId',
  'createdAt',
  'activeAt',
  'expiresAt',
  'finishedAt',
] as const satisfies readonly (keyof ResumableUpload)[];

@Injectable()
export class ResumableUploadsRepository {
  /** Read on every tus request: prepared once (README "Resumable uploads"). */
  private readonly byId: PreparedQuery<{ id: string }, ResumableUpload>;

  constructor(@InjectRepository(ResumableUpload) private readonly uploads: Repository<ResumableUpload>) {
    this.byId = PreparedQuery.select(uploads, 'u', [...COLUMNS], (qb, p) => qb.where('u.id = :id', { id: p.id }));
  }

  async insert(upload: ResumableUpload): Promise<void> {
    await this.uploads.insert(upload);
  }

  async find(id: string): Promise<ResumableUpload | null> {
    const [row] = await this.byId.run({ id });
    return row ?? null;
  }

  async setState(id: string, storageState: string): Promise<void> {
    await this.uploads.update({ id }, { storageState });
  }

  /** Bytes up to `received` are in the blob store, up to `durable` synced, as `storageState` describes. */
  async recordProgress(row: Pick<ResumableUpload, 'id' | 'received' | 'durable' | 'storageState' | 'activeAt' | 'expiresAt'>): Promise<void> {
    const { id, received, durable, storageState, activeAt, expiresAt } = row;
    await this.uploads.update({ id }, { received, durable, storageState, activeAt, expiresAt });
  }

  /** Unfinished uploads go back to their durable offset; resolves to how many moved. */
  async rewindToDurable(): Promise<number> {
    const result = await this.uploads
      .createQueryBuilder()
      .update()
      .set({ received: () => 'durable' })
      .where('received > durable')
      .andWhere('finished_at IS NULL')
      .execute();
    return result.affected ?? 0;
  }

  async markFinished(id: string, finishedAt: Date): Promise<void> {
    await this.uploads.update({ id }, { finishedAt, storageState: null, reservationId: null });
  }

  async delete(id: string): Promise<void> {
    await this.uploads.delete({ id });
  }

  /** Uploads with all their bytes and no file yet (their last request met an outage). */
  findReceivedUnfinished(limit: number): Promise<ResumableUpload[]> {
    return this.uploads.createQueryBuilder('u').where('u.received = u.length').andWhere('u.finished_at IS NULL').orderBy('u.active_at', 'ASC').take(limit).getMany();
  }

  findExpired(now: Date, limit: number): Promise<ResumableUpload[]> {
    return this.uploads.find({ where: { expiresAt: LessThan(now) }, order: { expiresAt: 'ASC' }, take: limit });
  }

  /** Of the keys, those an upload names (a finished one too: it hands its blob to a version, which the sweep may have read before). */
  async blobKeysIn(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.uploads.find({ where: { blobKey: In([...keys]) }, select: { id: true, blobKey: true } });
    return new Set(rows.map((row) => row.blobKey));
  }

  countUnfinishedOfOwner(ownerId: number): Promise<number> {
    return this.uploads.countBy({ ownerId, finishedAt: IsNull() });
  }

  findOfOwner(ownerId: number): Promise<ResumableUpload[]> {
    return this.uploads.findBy({ ownerId });
  }
}
