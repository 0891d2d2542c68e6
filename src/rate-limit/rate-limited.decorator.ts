import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ErrorDto } from '../common/dto/responses.dto';
import { RATE_LIMIT_GROUP, RateLimitGroup } from './rate-limit.constants';

/**
 * Counts the route against its group's per-address and per-username budgets (read by the global
 * RateLimitGuard), and documents the 429 in the same place.
 */
export function RateLimited(group: RateLimitGroup): MethodDecorator {
  return applyDecorators(
    SetMetadata(RATE_LIMIT_GROUP, group),
    ApiTooManyRequestsResponse({
      type: ErrorDto,
      description: 'too many attempts from this address or for this username',
      headers: { 'Retry-After': { description: 'seconds until the next attempt is accepted', schema: { type: 'integer' } } },
    }),
  );
}
