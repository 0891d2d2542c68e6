import { NotFoundException, PipeTransform } from '@nestjs/common';

/** The largest id an INTEGER id column holds on every database. */
export const MAX_ID = 2_147_483_647;

/**
 * A numeric id in a path: a positive integer that fits the id column, written without leading
 * zeros. Anything else names nothing, so it is the route's own 404, never a database error.
 */
export abstract class PositiveIdPipe implements PipeTransform<string, number> {
  protected abstract readonly notFound: string;

  transform(raw: string): number {
    const id = /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : NaN;
    if (!(id <= MAX_ID)) throw new NotFoundException({ error: this.notFound });
    return id;
  }
}
