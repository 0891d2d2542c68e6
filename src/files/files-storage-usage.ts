import { Injectable } from '@nestjs/common';
import { StorageUsageReader, UserStorageUsage } from '../admin/storage-usage';
import { BlobHolders } from './blob-holders';
import { FilesRepository } from './files.repository';

/** The admin listing's fileCount (files with a version) and bytesStored (every stored byte: versions and sounds, as the quota counts). */
@Injectable()
export class FilesStorageUsage extends StorageUsageReader {
  constructor(
    private readonly files: FilesRepository,
    private readonly holders: BlobHolders,
  ) {
    super();
  }

  async usageOf(userIds: number[]): Promise<Map<number, UserStorageUsage>> {
    const [rows, bytes] = await Promise.all([this.files.usageOf(userIds), this.holders.bytesByOwner(userIds)]);
    const usage = new Map<number, UserStorageUsage>();
    for (const row of rows) usage.set(row.ownerId, { fileCount: row.fileCount, bytesStored: 0 });
    for (const [ownerId, bytesStored] of bytes) usage.set(ownerId, { fileCount: usage.get(ownerId)?.fileCount ?? 0, bytesStored });
    return usage;
  }
}
