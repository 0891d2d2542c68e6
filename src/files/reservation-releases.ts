import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { UploadReservationsRepository } from './upload-reservations.repository';

/** How often releases that failed are tried again. */
const RETRY_MS = 5000;

/**
 * Ends upload reservations. A release that fails (the database is down, its disk is full) is
 * kept and tried again every RETRY_MS until it succeeds, so that the quota adds up again within
 * seconds of the database's return instead of holding phantom bytes until the sweeper finds the
 * row stale (README "When things fail"). What a crash loses here, the sweeper still finds.
 */
@Injectable()
export class ReservationReleases implements OnApplicationShutdown {
  private readonly logger = new Logger(ReservationReleases.name);
  private readonly pending = new Set<number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly reservations: UploadReservationsRepository) {}

  /** Releases now, or later if the database cannot take it now; never throws. */
  async release(id: number): Promise<void> {
    try {
      await this.reservations.delete(id);
    } catch (error) {
      if (this.pending.size === 0) this.logger.warn(`could not release an upload reservation; retrying every ${RETRY_MS} ms: ${String(error)}`);
      this.later(id);
    }
  }

  /** Releases later, without trying now: the database is known to be down, and the request must not wait on it. */
  later(id: number): void {
    this.pending.add(id);
    this.timer ??= setInterval(() => void this.retry(), RETRY_MS).unref();
  }

  /** Releases that are still to be done. */
  get waiting(): number {
    return this.pending.size;
  }

  /** Tries the waiting releases again; resolves to how many are still waiting. */
  async retry(): Promise<number> {
    const ids = [...this.pending];
    if (ids.length === 0) return 0;
    try {
      await this.reservations.deleteMany(ids);
      for (const id of ids) this.pending.delete(id);
      this.logger.log(`released ${ids.length} upload reservation(s) that had failed to release`);
    } catch {
      // Still down: the next tick tries again.
    }
    if (this.pending.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    return this.pending.size;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.retry();
  }
}
