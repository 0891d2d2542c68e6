import { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { ROOT_LOGGER } from './logging.options';
import { MetricsService } from './metrics.service';
import { pathOf, routeOf, userIdOf } from './request-facts';
import { requestIdOf } from './request-id';

/** A client that hung up before the answer was sent is recorded with nginx's 499. */
export const CLIENT_CLOSED = 499;

/**
 * The first thing every request meets: its id, then, when the answer is sent (or the client
 * hangs up), one log line and the HTTP metrics. One listener per request and no logger
 * per request: this runs on every call, and pino-http's child loggers plus nestjs-pino's
 * AsyncLocalStorage cost ~40 % of a small request (README "Small requests").
 */
@Injectable()
export class RequestObserver {
  /**
   * Request lines skip redaction: they are built from the allowlist below, and pino's
   * wildcard redaction would triple the cost of every line.
   */
  private readonly logger: Logger;

  constructor(
    @Inject(ROOT_LOGGER) root: Logger,
    private readonly metrics: MetricsService,
  ) {
    this.logger = root.child({}, { redact: { paths: [] } });
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const start = performance.now();
    const requestId = requestIdOf(req, res);
    // 'close' follows 'finish' for every answer sent, and comes alone when the client hung up.
    res.once('close', () => this.record(req, res, requestId, performance.now() - start));
    next();
  };

  private record(req: IncomingMessage, res: ServerResponse, requestId: string, ms: number): void {
    const aborted = !res.writableFinished;
    const status = aborted ? CLIENT_CLOSED : res.statusCode;
    const route = routeOf(req);
    const method = req.method ?? '';
    this.metrics.httpRequest(method, route, status, ms / 1000);
    // One line per request: exactly these members, nothing taken from headers or bodies.
    const line = { requestId, method, route, path: pathOf(req), status, durationMs: Math.round(ms), userId: userIdOf(req) };
    if (aborted) this.logger.info(line, 'request aborted');
    // 503 is a known condition (a dependency down, draining), already logged once as an outage;
    // 507 is a quota or a full disk, the user's or the operator's to act on, not a fault of the server.
    else if (status === 503 || status === 507) this.logger.warn(line, 'request failed');
    else if (status >= 500) this.logger.error(line, 'request failed');
    else this.logger.info(line, 'request completed');
  }
}
