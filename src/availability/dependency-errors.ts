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
  // PostgreSQL SQLSTATEs: shutting down, starting up, out of connections, disk full, and a
  // statement cancelled by statement_timeout (data-source-options.ts).
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '53100',
  '57014',
  // The database's disk is full (SQLite, MySQL/MariaDB): writes fail until there is room again;
  // another process held SQLite's write lock past busy_timeout.
  'SQLITE_FULL',
  'SQLITE_BUSY',
  'ER_RECORD_FILE_FULL',
  'ER_DISK_FULL',
]);

/** node-postgres's words for a connection that dropped or could not be had in time. */
function isPostgresConnectionLoss(error: ErrorLike): boolean {
  const message = typeof error.message === 'string' ? error.message : '';
  if (typeof error.code === 'string' && error.code.startsWith('08')) return true; // SQLSTATE class 08: connection exception
  // query_timeout (data-source-options.ts): the server did not answer in time.
  return message.startsWith('Connection terminated') || message === 'timeout exceeded when trying to connect' || message === 'Query read timeout';
}

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
 * at connection level comes from the database client (mysql2 marks those `fatal`; node-postgres
 * has SQLSTATEs and messages).
 */
export function unavailableDependency(exception: unknown): Dependency | undefined {
  if (exception instanceof DependencyUnavailableError) return exception.dependency;
  if (typeof exception !== 'object' || exception === null) return undefined;
  const error = exception as ErrorLike;
  if (isRedisOutage(error)) return 'redis';
  const driver = (typeof error.driverError === 'object' && error.driverError !== null ? error.driverError : error) as ErrorLike;
  if (typeof driver.code === 'string' && CONNECTION_CODES.has(driver.code)) return 'database';
  if (driver.fatal === true || isPostgresConnectionLoss(driver)) return 'database';
  return undefined;
}
