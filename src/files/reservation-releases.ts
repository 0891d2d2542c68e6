import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { UploadReservationsRepository } from './upload-reservations.repository';

/** How often releases that failed are tried again. */
const RETRY_MS = 5000;

/**
 * Ends upload reservations, named by their upload's blob key (each upload has its own, and the
 * key is known before its reservation is inserted, so that a reservation whose insert answered
 * with an error, though it may have committed, can be released too). A release that fails (the database is down, its disk is full) is
 * kept and tried again every RETRY_MS until it succeeds, so that the quota adds up again within
 * seconds of the database's return instead of holding phantom bytes until the sweeper finds the
 * row stale (README "When things fail"). What a crash loses here, the sweeper still finds.
 */
@Injectable()
export class ReservationReleases implements OnApplicationShutdown {
  private readonly logger = new Logger(ReservationReleases.name);
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly reservations: UploadReservationsRepository) {}

  /** Releases now, or later if the database cannot take it now; never throws. */
  async release(blobKey: string): Promise<void> {
    try {
      await this.reservations.deleteOfBlob(blobKey);
    } catch (error) {
      if (this.pending.size === 0) this.logger.warn(`could not release an upload reservation; retrying every ${RETRY_MS} ms: ${String(error)}`);
      this.later(blobKey);
    }
  }

  /** Releases later, without trying now: the database is known to be down, and the request must not wait on it. */
  later(blobKey: string): void {
    this.pending.add(blobKey);
    this.timer ??= setInterval(() => void this.retry(), RETRY_MS).unref();
  }

  /** Releases that are still to be done. */
  get waiting(): number {
    return this.pending.size;
  }

  /** Resolves once no release waits any more (at once when none does). */
  idle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Tries the waiting releases again; resolves to how many are still waiting. */
  async retry(): Promise<number> {
    const keys = [...this.pending];
    if (keys.length === 0) return 0;
    try {
      await this.reservations.deleteOfBlobs(keys);
      for (const key of keys) this.pending.delete(key);
      this.logger.log(`released the reservations of ${keys.length} upload(s) that had failed to release`);
    } catch {
      // Still down: the next tick tries again.
    }
    if (this.pending.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
    return this.pending.size;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.retry();
  }
}
