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

  /** Bytes up to `received` are durable in the blob store, described by `storageState`. */
  async recordProgress(id: string, received: number, storageState: string, activeAt: Date, expiresAt: Date): Promise<void> {
    await this.uploads.update({ id }, { received, storageState, activeAt, expiresAt });
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
