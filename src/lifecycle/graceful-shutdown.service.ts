import { IncomingMessage, Server, ServerResponse } from 'node:http';
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { InFlightWork } from './in-flight-work';

/** How often idle keep-alive connections are closed while draining. */
const IDLE_SWEEP_MS = 100;
/** How long the clean-up of cut requests may take (a dependency may be down) before the clients close anyway. */
const CLEANUP_GRACE_MS = 10_000;

/**
 * SIGTERM (through `enableShutdownHooks`) lands here before anything is closed: the server stops
 * accepting connections, requests in flight (uploads and downloads included) get SHUTDOWN_GRACE
 * to finish, then whatever is still open is cut. Only after that does Nest close the database,
 * Redis and blob store clients (their `onApplicationShutdown` hooks), so no request loses them
 * half-way.
 */
@Injectable()
export class GracefulShutdownService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private drainStarted = false;

  /** True from SIGTERM on: /health/ready answers 503 so that load balancers stop sending work. */
  get draining(): boolean {
    return this.drainStarted;
  }

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly inFlight: InFlightWork,
  ) {}

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.drainStarted = true;
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server?.listening) return;
    // Logged once the listening socket is closed, so that whoever reads it can rely on it.
    const drained = this.drain(server);
    this.logger.log(`${signal ?? 'close'}: no new connections; waiting up to ${this.config.shutdownGraceMs} ms for requests in flight`);
    await drained;
    // Requests cut at the deadline are still removing their blobs and releasing their quota.
    await this.inFlight.settled(CLEANUP_GRACE_MS);
    this.logger.log('requests drained; closing clients');
  }

  private drain(server: Server): Promise<void> {
    return new Promise((resolve) => {
      // Requests that still arrive on open keep-alive connections are served, then their connection closes.
      const closeAfter = (_req: IncomingMessage, res: ServerResponse): void => {
        if (!res.headersSent) res.setHeader('Connection', 'close');
      };
      server.prependListener('request', closeAfter);
      const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
      const deadline = setTimeout(() => {
        this.logger.warn(`grace of ${this.config.shutdownGraceMs} ms over: cutting the connections still open`);
        server.closeAllConnections();
      }, this.config.shutdownGraceMs);
      server.close(() => {
        clearInterval(sweep);
        clearTimeout(deadline);
        server.off('request', closeAfter);
        resolve();
      });
      server.closeIdleConnections();
    });
  }
}
