import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BlobStore } from '../storage/blob-store';
import { BlobHolders } from './blob-holders';
import { UploadReservationsRepository } from './upload-reservations.repository';

/**
 * A blob must be this old (by the store's date: for an S3 multipart object, when its upload
 * began) before it can count as an orphan. Every blob is named by a row from before its first
 * byte (its upload's reservation) until after the row that owns it exists, and named() asks in
 * the order the name passes on, so an unnamed blob is an orphan at once; the grace only keeps
 * the sweep clear of clocks that disagree and of stores that list what they are still writing.
 */
export const ORPHAN_GRACE_MS = 60 * 60_000;
const SWEEP_INTERVAL_MS = 60 * 60_000;
/** Keys checked against the database per query. */
const BATCH = 500;

export interface BlobSweepResult {
  /** Finished blobs that no row named. */
  blobs: number;
  /** Unfinished uploads' leftovers (local partial files, S3 multipart uploads and tails) that no upload continues. */
  resumables: number;
}

/**
 * Removes what the blob store holds and no row names (README "When things fail"): blobs whose
 * upload failed while the store could not delete them, leftovers of a crash, S3 multipart
 * uploads that were never completed or aborted. Several instances may sweep at once: each only
 * removes what nothing names, and once nothing names a key nothing will again.
 */
@Injectable()
export class BlobSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BlobSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  /** What the store could not sweep is said once, not every hour. */
  private skipLogged = false;

  constructor(
    private readonly blobs: BlobStore,
    private readonly holders: BlobHolders,
    private readonly reservations: UploadReservationsRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.logger.warn(`orphan blob sweep failed: ${String(error)}`));
    }, SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(now = Date.now()): Promise<BlobSweepResult> {
    const cutoff = new Date(now - ORPHAN_GRACE_MS);
    let blobs = 0;
    let batch: string[] = [];
    const removeUnnamed = async (): Promise<void> => {
      const named = await this.named(batch);
      for (const key of batch) {
        if (named.has(key)) continue;
        await this.blobs.delete(key);
        blobs++;
      }
      batch = [];
    };
    for await (const entry of this.blobs.list()) {
      if (entry.modifiedAt >= cutoff) continue;
      batch.push(entry.key);
      if (batch.length >= BATCH) await removeUnnamed();
    }
    await removeUnnamed();
    const resumables = await this.blobs.sweepResumables(cutoff, async (key) => (await this.named([key])).size > 0);
    if (blobs + resumables > 0) this.logger.log(`removed ${blobs} orphaned blob(s) and ${resumables} abandoned upload leftover(s)`);
    const skipped = this.blobs.sweepSkipped;
    if (skipped && !this.skipLogged) this.logger.warn(`orphan sweep: ${skipped}; README "When things fail" names the bucket lifecycle rule that covers it`);
    this.skipLogged = skipped !== undefined;
    return { blobs, resumables };
  }

  /**
   * Of the keys, those an upload in flight, a version, a sound or a resumable upload names. A
   * blob passes from its reservation to its version (the version is inserted, then the
   * reservation deleted), and a resumable upload's row stays after its version exists: asking in
   * that order, a blob being committed between two of the queries is seen by one of them.
   */
  private async named(keys: readonly string[]): Promise<Set<string>> {
    const named = await this.reservations.blobKeysIn(keys);
    for (const key of await this.holders.referencedAmong(keys)) named.add(key);
    return named;
  }
}
