import { Injectable } from '@nestjs/common';
import { StorageUsageReader, UserStorageUsage } from '../admin/storage-usage';
import { FilesRepository } from './files.repository';

/** The admin listing's fileCount and bytesStored: files with a version, and the bytes of all versions. */
@Injectable()
export class FilesStorageUsage extends StorageUsageReader {
  constructor(private readonly files: FilesRepository) {
    super();
  }

  async usageOf(userIds: number[]): Promise<Map<number, UserStorageUsage>> {
    const rows = await this.files.usageOf(userIds);
    return new Map(rows.map((row) => [row.ownerId, { fileCount: row.fileCount, bytesStored: row.bytesStored }]));
  }
}
