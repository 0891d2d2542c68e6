import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { assertRoomIn } from '../storage/disk-space';
import { ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorResult, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/guards/access.decorators';
import { SessionStore } from '../auth/sessions/session-store';
import { GracefulShutdownService } from '../lifecycle/graceful-shutdown.service';
import { BlobStore } from '../storage/blob-store';

@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly sessions: SessionStore,
    private readonly blobs: BlobStore,
    private readonly shutdown: GracefulShutdownService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'the process is alive: `{status: "ok"}`' })
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOkResponse({ description: 'database, session store and blob store reachable, and (SQLite) room on the disk of DATA_DIR' })
  @ApiResponse({ status: 503, description: 'a dependency is unreachable (`error` names it), or the server is draining after SIGTERM' })
  async readiness(): Promise<HealthCheckResult> {
    // Requests already on open connections are still served while draining; new work should go elsewhere.
    if (this.shutdown.draining) throw new ServiceUnavailableException({ status: 'error', error: 'not ready: draining after SIGTERM' });
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout: 3000 }),
        () => this.probe('sessions', () => this.sessions.ping()),
        () => this.probe('storage', () => this.blobs.ping()),
        // The local store's ping covers its own disk; SQLite's lives in DATA_DIR, whichever the store.
        ...(this.config.db.type === 'sqlite' ? [() => this.probe('disk', () => assertRoomIn(this.config.dataDir))] : []),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      throw new ServiceUnavailableException({ ...result, error: `not ready: ${Object.keys(result.error ?? {}).join(', ')}` });
    }
  }

  private async probe(key: string, ping: () => Promise<void>): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await ping();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
