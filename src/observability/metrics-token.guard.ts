import { timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Request, Response } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { METRICS_TOKEN_REQUIRED } from './observability.constants';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** With METRICS_TOKEN set, the scrape needs `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise). */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.metricsToken;
    if (expected === undefined) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const match = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    if (match && sameSecret(match[1], expected)) return true;
    context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
    throw new UnauthorizedException({ error: METRICS_TOKEN_REQUIRED });
  }
}
