/** The services the server cannot work without, by the names logs and answers use. */
export type Dependency = 'database' | 'redis' | 'storage';

/** Thrown by a driver that knows its dependency is unreachable (the S3 blob store). */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: Dependency,
    override readonly cause?: unknown,
  ) {
    super(`${dependency} unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Network-level failures of a client connection: the service is down or unreachable. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_NORMAL_SHUTDOWN',
]);

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  fatal?: unknown;
  driverError?: unknown;
}

function isRedisOutage(error: ErrorLike): boolean {
  if (error.name === 'MaxRetriesPerRequestError') return true;
  const message = typeof error.message === 'string' ? error.message : '';
  // ioredis's words for a closed connection, a refused write while offline, and commandTimeout.
  return message === 'Connection is closed.' || message.startsWith("Stream isn't writeable") || message === 'Command timed out';
}

/**
 * Which dependency an error says is down, if any. Drivers that can tell (S3) throw
 * DependencyUnavailableError; Redis errors are recognised by ioredis's own names; anything else
 * at connection level comes from the database client (mysql2 marks those `fatal`).
 */
export function unavailableDependency(exception: unknown): Dependency | undefined {
  if (exception instanceof DependencyUnavailableError) return exception.dependency;
  if (typeof exception !== 'object' || exception === null) return undefined;
  const error = exception as ErrorLike;
  if (isRedisOutage(error)) return 'redis';
  const driver = (typeof error.driverError === 'object' && error.driverError !== null ? error.driverError : error) as ErrorLike;
  if (typeof driver.code === 'string' && CONNECTION_CODES.has(driver.code)) return 'database';
  if (driver.fatal === true) return 'database';
  return undefined;
}
