import { HttpException } from '@nestjs/common';

/**
 * An answer that tells the client when to try again (`429` for abuse limits, `503` while a
 * dependency is down); the exception filter writes its `Retry-After` header.
 */
export class RetryLaterException extends HttpException {
  constructor(
    status: 429 | 503,
    error: string,
    readonly retryAfterSeconds: number,
  ) {
    super({ error }, status);
  }
}
