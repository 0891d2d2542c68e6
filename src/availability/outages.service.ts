import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS } from '../redis/redis.module';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { BlobStore } from '../storage/blob-store';
import { assertRoomIn } from '../storage/disk-space';
import { Dependency } from './dependency-errors';

/** How often a dependency that is down is tried again, to notice and log its return. */
const PROBE_INTERVAL_MS = 1000;

/**
 * Keeps track of dependencies that are down, so that each outage and each recovery is one log
 * line, however many requests fail in between. A reported outage starts a probe (the same ping
 * /health/ready uses) that logs the recovery; Redis tells of both itself through its events.
 */
@Injectable()
export class Outages implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Outages');
  private readonly down = new Map<Dependency, { since: number; probe?: NodeJS.Timeout }>();
  private readonly upWaiters: (() => void)[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly blobs: BlobStore,
    @Optional() @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  onModuleInit(): void {
    this.redis?.on('error', (error: Error) => this.report('redis', error));
    this.redis?.on('ready', () => this.recovered('redis'));
  }

  onApplicationShutdown(): void {
    for (const state of this.down.values()) clearInterval(state.probe);
  }

  /** A request or a client found `dependency` unreachable. Logs only the first report of an outage. */
  report(dependency: Dependency, error: unknown): void {
    if (this.down.has(dependency)) return;
    const state: { since: number; probe?: NodeJS.Timeout } = { since: Date.now() };
    this.down.set(dependency, state);
    this.logger.warn({ dependency, event: 'outage', reason: error instanceof Error ? error.message : String(error) }, `${dependency} unavailable`);
    // Redis reconnects by itself and says so ('ready'); the others are probed.
    if (dependency !== 'redis') {
      // One probe at a time: against a database that hangs, each waits out its deadline.
      let probing = false;
      state.probe = setInterval(() => {
        if (probing) return;
        probing = true;
        this.ping(dependency).then(
          () => this.recovered(dependency),
          () => undefined,
        ).finally(() => (probing = false));
      }, PROBE_INTERVAL_MS);
      state.probe.unref();
    }
  }

  recovered(dependency: Dependency): void {
    const state = this.down.get(dependency);
    if (!state) return;
    clearInterval(state.probe);
    this.down.delete(dependency);
    this.logger.log({ dependency, event: 'recovery', downMs: Date.now() - state.since }, `${dependency} available again`);
    if (this.down.size === 0) for (const resolve of this.upWaiters.splice(0)) resolve();
  }

  /** Resolves once no dependency is known to be down (at once when none is). */
  allUp(): Promise<void> {
    if (this.down.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.upWaiters.push(resolve));
  }

  private async ping(dependency: Dependency): Promise<void> {
    switch (dependency) {
      case 'database':
        await this.dataSource.query('SELECT 1');
        // SQLite answers SELECT 1 on a full disk; its writes fail until there is room.
        if (this.config.db.type === 'sqlite') await assertRoomIn(this.config.dataDir);
        return;
      case 'storage':
        await this.blobs.ping();
        return;
      case 'redis':
        await this.redis?.ping();
        return;
    }
  }
}
