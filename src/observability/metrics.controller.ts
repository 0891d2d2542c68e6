import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Inject, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { Public } from '../auth/guards/access.decorators';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { METRICS_TOKEN_REQUIRED } from './observability.constants';
import { MetricsService } from './metrics.service';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Prometheus scrape endpoint. Not a user route: no session, but METRICS_TOKEN (Bearer) when set.
 * Left out of the OpenAPI document, which describes the product API.
 */
@ApiExcludeController()
@Controller('metrics')
@Public()
export class MetricsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrapeMetrics(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string> {
    const expected = this.config.metricsToken;
    if (expected !== undefined) {
      const match = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
      if (!match || !sameSecret(match[1], expected)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new UnauthorizedException({ error: METRICS_TOKEN_REQUIRED });
      }
    }
    res.setHeader('Content-Type', this.metrics.contentType);
    return this.metrics.render();
  }
}
