import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Where transferred bytes came from, for the byte counters' `source` label. */
export type TransferSource = 'files' | 'sounds';

/**
 * The app's Prometheus metrics. Each app instance owns its registry (never prom-client's global
 * one), so that tests booting several apps in one process do not collide. Feature modules call
 * the small methods below; the HTTP middleware records every request.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly requests = new Counter({
    name: 'cloudstash_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly durations = new Histogram({
    name: 'cloudstash_http_request_duration_seconds',
    help: 'Time from the request reaching the app to the last byte of the answer',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  private readonly uploaded = new Counter({
    name: 'cloudstash_bytes_uploaded_total',
    help: 'Bytes of uploads stored',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  private readonly downloaded = new Counter({
    name: 'cloudstash_bytes_downloaded_total',
    help: 'Bytes of stored files and sounds sent to clients',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  private readonly uploadsInFlight = new Gauge({
    name: 'cloudstash_uploads_in_flight',
    help: 'Uploads whose bytes are still arriving',
    registers: [this.registry],
  });

  private readonly sessionsOpenedTotal = new Counter({
    name: 'cloudstash_sessions_opened_total',
    help: 'Sessions opened by a login route',
    registers: [this.registry],
  });

  private readonly sessionsEndedTotal = new Counter({
    name: 'cloudstash_sessions_ended_total',
    help: 'Sessions ended before expiry: logout, password change, block, deletion',
    registers: [this.registry],
  });

  private readonly rateLimitedTotal = new Counter({
    name: 'cloudstash_rate_limited_total',
    help: 'Requests refused with 429, by route group',
    labelNames: ['group'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition format, for GET /metrics. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.durations.observe(labels, seconds);
  }

  bytesUploaded(bytes: number, source: TransferSource): void {
    if (bytes > 0) this.uploaded.inc({ source }, bytes);
  }

  bytesDownloaded(bytes: number, source: TransferSource): void {
    if (bytes > 0) this.downloaded.inc({ source }, bytes);
  }

  /** Call when an upload's bytes start arriving; call the returned function (once or more) when it settles. */
  uploadStarted(): () => void {
    this.uploadsInFlight.inc();
    let finished = false;
    return () => {
      if (finished) return;
      finished = true;
      this.uploadsInFlight.dec();
    };
  }

  sessionOpened(): void {
    this.sessionsOpenedTotal.inc();
  }

  sessionsEnded(count = 1): void {
    if (count > 0) this.sessionsEndedTotal.inc(count);
  }

  rateLimited(group: string): void {
    this.rateLimitedTotal.inc({ group });
  }
}
