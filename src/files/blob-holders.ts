import { Injectable } from '@nestjs/common';

/** A module whose rows own blobs: file versions, sounds, resumable uploads. */
export interface BlobHolder {
  /** Bytes stored per owner, for the owners that have any (none for what reservations count). */
  bytesByOwner(ownerIds: readonly number[]): Promise<Map<number, number>>;
  /** Of the keys, those its rows name. */
  blobKeysIn(keys: readonly string[]): Promise<Set<string>>;
}

/**
 * Everything that stores bytes for a user, registered by the modules that own such rows: the
 * quota and `bytesStored` count all of them, and the sweepers keep a blob any of them uses.
 */
@Injectable()
export class BlobHolders {
  private readonly holders: BlobHolder[] = [];

  register(holder: BlobHolder): void {
    this.holders.push(holder);
  }

  async bytesByOwner(ownerIds: readonly number[]): Promise<Map<number, number>> {
    const totals = new Map<number, number>();
    for (const holder of this.holders) {
      for (const [ownerId, bytes] of await holder.bytesByOwner(ownerIds)) totals.set(ownerId, (totals.get(ownerId) ?? 0) + bytes);
    }
    return totals;
  }

  async bytesOfOwner(ownerId: number): Promise<number> {
    return (await this.bytesByOwner([ownerId])).get(ownerId) ?? 0;
  }

  async isBlobReferenced(blobKey: string): Promise<boolean> {
    return (await this.referencedAmong([blobKey])).size > 0;
  }

  /** Of the keys, those some row names. */
  async referencedAmong(keys: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const holder of this.holders) for (const key of await holder.blobKeysIn(keys)) found.add(key);
    return found;
  }
}
