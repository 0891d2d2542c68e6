import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, UseInterceptors, applyDecorators } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { Request } from 'express';
import { catchError, from, Observable, switchMap, throwError } from 'rxjs';
import { ErrorDto } from '../common/dto/responses.dto';
import { RetryLaterException } from '../common/http/retry-later.exception';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MetricsService } from '../observability/metrics.service';
import { AttemptCounters, Counter } from './attempt-counters';
import { RATE_LIMITED } from './rate-limit.constants';

/**
 * Sign-ups are limited by accounts created per client address (CONTRACT §11): a slot is
 * reserved before the handler runs and given back when it fails, so that a refused or invalid
 * sign-up never counts and concurrent sign-ups cannot overrun the limit.
 */
@Injectable()
export class SignUpLimitInterceptor implements NestInterceptor {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly counters: AttemptCounters,
    private readonly metrics: MetricsService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    const counter: Counter = { key: `signup:${req.ip ?? 'unknown'}`, ...this.config.abuseLimits.signUpsPerAddress };
    const release = (): Promise<void> => this.counters.decrement([counter.key]);
    return from(this.counters.increment([counter])).pipe(
      switchMap(([state]) => {
        if (state.hits > counter.limit) {
          this.metrics.rateLimited('register');
          return from(release()).pipe(switchMap(() => throwError(() => new RetryLaterException(429, RATE_LIMITED, state.ttlMs / 1000))));
        }
        return next.handle().pipe(catchError((error: unknown) => from(release()).pipe(switchMap(() => throwError(() => error)))));
      }),
    );
  }
}

/** Counts the route's successes against the per-address sign-up limit, and documents the 429. */
export function SignUpLimited(): MethodDecorator {
  return applyDecorators(
    UseInterceptors(SignUpLimitInterceptor),
    ApiTooManyRequestsResponse({
      type: ErrorDto,
      description: 'too many accounts created from this address',
      headers: { 'Retry-After': { description: 'seconds until a sign-up is accepted again', schema: { type: 'integer' } } },
    }),
  );
}

/** Documents the 429 of a route that checks a password (PasswordAttempts). */
export function PasswordAttemptsLimited(): MethodDecorator {
  return ApiTooManyRequestsResponse({
    type: ErrorDto,
    description: 'too many failed password checks from this address or for this username',
    headers: { 'Retry-After': { description: 'seconds until the next attempt is accepted', schema: { type: 'integer' } } },
  });
}
