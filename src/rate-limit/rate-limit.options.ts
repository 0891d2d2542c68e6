import { createHash } from 'node:crypto';
import { ExecutionContext } from '@nestjs/common';
import { ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import { Request } from 'express';
import { AppConfig, RateLimit } from '../config/app-config';
import { RATE_LIMIT_GROUP, RateLimitGroup, THROTTLER_ADDRESS, THROTTLER_USERNAME } from './rate-limit.constants';

export function rateLimitGroupOf(context: ExecutionContext): RateLimitGroup | undefined {
  return Reflect.getMetadata(RATE_LIMIT_GROUP, context.getHandler()) as RateLimitGroup | undefined;
}

/** The username the body tries (the JSON body is parsed by middleware, before guards run). */
function usernameOf(req: Request): string | undefined {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const username = (body as Record<string, unknown>).username;
  return typeof username === 'string' && username !== '' ? username.slice(0, 1024) : undefined;
}

/**
 * Two named throttlers over the same routes: one keyed by the client address (`req.ip`, which
 * honours TRUST_PROXY), one by the username tried, so that neither many names from one address
 * nor one name from many addresses gets unlimited guesses.
 */
export function rateLimitOptions(config: AppConfig, storage: ThrottlerStorage | undefined): ThrottlerModuleOptions {
  const limits = (context: ExecutionContext, which: 'perAddress' | 'perUsername'): RateLimit => {
    const group = rateLimitGroupOf(context) ?? 'login';
    return config.rateLimits[group][which];
  };
  return {
    storage,
    // Retry-After is set by RateLimitGuard; the per-throttler X-RateLimit-* headers would only add noise.
    setHeaders: false,
    // Keyed by the group, not the handler, so that the routes of a group share one budget.
    generateKey: (context, tracker, throttler) =>
      `${rateLimitGroupOf(context) ?? 'none'}:${throttler}:${createHash('sha256').update(tracker).digest('base64url')}`,
    throttlers: [
      {
        name: THROTTLER_ADDRESS,
        limit: (context) => limits(context, 'perAddress').limit,
        ttl: (context) => limits(context, 'perAddress').ttlMs,
        blockDuration: (context) => limits(context, 'perAddress').ttlMs,
        getTracker: (req) => (req as Request).ip ?? 'unknown',
      },
      {
        name: THROTTLER_USERNAME,
        limit: (context) => limits(context, 'perUsername').limit,
        ttl: (context) => limits(context, 'perUsername').ttlMs,
        blockDuration: (context) => limits(context, 'perUsername').ttlMs,
        // Without a username the body fails validation anyway; the address budget still applies.
        skipIf: (context) => usernameOf(context.switchToHttp().getRequest<Request>()) === undefined,
        getTracker: (req) => usernameOf(req as Request) ?? '',
      },
    ],
  };
}
