import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { ResumableUpload } from './entities/resumable-upload.entity';

@Injectable()
export class ResumableUploadsRepository {
  constructor(@InjectRepository(ResumableUpload) private readonly uploads: Repository<ResumableUpload>) {}

  async insert(upload: ResumableUpload): Promise<void> {
    await this.uploads.insert(upload);
  }

  find(id: string): Promise<ResumableUpload | null> {
    return this.uploads.findOneBy({ id });
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

  findExpired(now: Date, limit: number): Promise<ResumableUpload[]> {
    return this.uploads.find({ where: { expiresAt: LessThan(now) }, order: { expiresAt: 'ASC' }, take: limit });
  }

  findOfOwner(ownerId: number): Promise<ResumableUpload[]> {
    return this.uploads.findBy({ ownerId });
  }
}
