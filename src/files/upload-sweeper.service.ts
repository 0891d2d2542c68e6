import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { BlobStore } from '../storage/blob-store';
import { UPLOAD_STALE_MS, UPLOAD_SWEEP_INTERVAL_MS } from './files.constants';
import { BlobHolders } from './blob-holders';
import { uploadInstanceId } from './upload-instance';
import { UploadReservationsRepository } from './upload-reservations.repository';

const BATCH = 100;

/**
 * Cleans up after uploads whose server died mid-stream: their reservation rows release quota,
 * and their blobs go unless a committed version or sound uses them (a crash between commit and release).
 * Several instances share the database, so a row is only taken when it is this instance's own
 * from a previous run (at start-up, before this run accepts uploads) or when its heartbeat has
 * been silent long enough that no living instance can be writing it.
 */
@Injectable()
export class UploadSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UploadSweeper.name);
  private readonly instanceId: string;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly blobs: BlobStore,
    private readonly holders: BlobHolders,
    private readonly reservations: UploadReservationsRepository,
  ) {
    this.instanceId = uploadInstanceId(config);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep(true);
    this.timer = setInterval(() => {
      this.sweep(false).catch((error: unknown) => this.logger.warn(`upload sweep failed: ${String(error)}`));
    }, UPLOAD_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Returns how many abandoned uploads were cleaned up. */
  async sweep(atStartup: boolean, now = Date.now()): Promise<number> {
    const silentSince = new Date(now - UPLOAD_STALE_MS);
    let swept = 0;
    for (;;) {
      const rows = await this.reservations.findAbandoned(silentSince, BATCH, atStartup ? this.instanceId : undefined);
      for (const row of rows) {
        if (!(await this.holders.isBlobReferenced(row.blobKey))) await this.blobs.delete(row.blobKey);
        await this.reservations.delete(row.id);
        swept++;
      }
      if (rows.length < BATCH) break;
    }
    if (swept > 0) this.logger.log(`cleaned up ${swept} upload(s) abandoned mid-stream`);
    return swept;
  }
}
