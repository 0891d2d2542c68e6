import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Past any real listing, and far inside what every database takes as an OFFSET. */
export const PAGE_OFFSET_MAX = 1_000_000_000;

/** `offset` of a paged listing: a whole number from 0 to PAGE_OFFSET_MAX, else 400 (never a 500 from the database). */
export function PageOffset(): PropertyDecorator {
  const message = `offset must be a whole number from 0 to ${PAGE_OFFSET_MAX}`;
  return applyDecorators(
    ApiPropertyOptional({ default: 0, minimum: 0, maximum: PAGE_OFFSET_MAX }),
    IsOptional(),
    Type(() => Number),
    IsInt({ message }),
    Min(0, { message }),
    Max(PAGE_OFFSET_MAX, { message }),
  );
}

/** `limit` of a paged listing. */
export function PageLimit(defaultLimit: number, maxLimit: number): PropertyDecorator {
  const message = `limit must be a whole number from 1 to ${maxLimit}`;
  return applyDecorators(
    ApiPropertyOptional({ default: defaultLimit, minimum: 1, maximum: maxLimit }),
    IsOptional(),
    Type(() => Number),
    IsInt({ message }),
    Min(1, { message }),
    Max(maxLimit, { message }),
  );
}
