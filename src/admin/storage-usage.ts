export interface UserStorageUsage {
  fileCount: number;
  bytesStored: number;
}

/** What the admin listing shows of each user's storage; the Files module provides it. */
export abstract class StorageUsageReader {
  abstract usageOf(userIds: number[]): Promise<Map<number, UserStorageUsage>>;
}
