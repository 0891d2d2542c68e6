import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { isUniqueViolation } from '../database/database-errors';
import { FileShare } from './entities/file-share.entity';
import { StoredFile } from './entities/stored-file.entity';

@Injectable()
export class FileSharesRepository {
  constructor(@InjectRepository(FileShare) private readonly shares: Repository<FileShare>) {}

  /** Shares the file with the user; sharing twice is not an error (the unique index decides). */
  async add(fileId: number, userId: number): Promise<void> {
    try {
      await this.shares.insert({ fileId, userId, createdAt: new Date() });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }

  async remove(fileId: number, userId: number): Promise<boolean> {
    const result = await this.shares.delete({ fileId, userId });
    return (result.affected ?? 0) > 0;
  }

  /** Which of the files are shared with anyone. */
  async sharedAmong(fileIds: readonly number[]): Promise<Set<number>> {
    if (fileIds.length === 0) return new Set();
    const rows = await this.shares.createQueryBuilder('s').select('DISTINCT s.file_id', 'fileId').where({ fileId: In([...fileIds]) }).getRawMany<{ fileId: number | string }>();
    return new Set(rows.map((row) => Number(row.fileId)));
  }

  /** Shares made to the user, oldest first. */
  listIncoming(userId: number): Promise<FileShare[]> {
    return this.shares.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Shares of the owner's files, oldest first. */
  listOutgoing(ownerId: number): Promise<FileShare[]> {
    return this.shares
      .createQueryBuilder('s')
      .innerJoin(StoredFile, 'f', 'f.id = s.file_id')
      .where('f.owner_id = :ownerId', { ownerId })
      .orderBy('s.created_at', 'ASC')
      .addOrderBy('s.id', 'ASC')
      .getMany();
  }
}
