import { ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import { Response } from 'express';
import { MetricsService } from '../observability/metrics.service';
import { RATE_LIMITED } from './rate-limit.constants';
import { rateLimitGroupOf } from './rate-limit.options';

/**
 * Registered globally, acts only on routes marked `@RateLimited(group)`. Answers 429 with the
 * contract's `{error}` body and a plain `Retry-After` (the throttler's own would be suffixed
 * with the throttler's name).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly metrics: MetricsService,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return rateLimitGroupOf(context) === undefined;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const res = context.switchToHttp().getResponse<Response>();
    res.setHeader('Retry-After', String(Math.max(1, detail.timeToBlockExpire)));
    this.metrics.rateLimited(rateLimitGroupOf(context) ?? 'none');
    throw new HttpException({ error: RATE_LIMITED }, HttpStatus.TOO_MANY_REQUESTS);
  }
}
