import { DependencyUnavailableError, unavailableDependency } from './dependency-errors';

/** Errors as the drivers throw them, and as TypeORM wraps them (`driverError`). */
describe('unavailableDependency', () => {
  it.each([
    ['mysql2: refused', { code: 'ECONNREFUSED' }],
    ['mysql2: a fatal protocol error', { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }],
    ['TypeORM wrapping a refused connection', { name: 'QueryFailedError', driverError: { code: 'ECONNREFUSED' } }],
    ['PostgreSQL shutting down (57P01)', { code: '57P01', message: 'terminating connection due to administrator command' }],
    ['PostgreSQL starting up (57P03)', { code: '57P03' }],
    ['PostgreSQL out of connections (53300)', { code: '53300' }],
    ['PostgreSQL connection exception (class 08)', { code: '08006' }],
    ['node-postgres: connection dropped', { message: 'Connection terminated unexpectedly' }],
    ['node-postgres: pool timeout', { message: 'timeout exceeded when trying to connect' }],
    ['node-postgres: query_timeout', { message: 'Query read timeout' }],
    ['PostgreSQL statement_timeout (57014)', { code: '57014' }],
    ['PostgreSQL disk full (53100)', { code: '53100' }],
    ['mysql2: a query past its deadline', { code: 'PROTOCOL_SEQUENCE_TIMEOUT' }],
    ['SQLite: disk full', { name: 'QueryFailedError', driverError: { code: 'SQLITE_FULL' } }],
  ])('names the database for %s', (_, error) => {
    expect(unavailableDependency(error)).toBe('database');
  });

  it('names Redis for ioredis outages, and a driver that says so for itself', () => {
    expect(unavailableDependency({ name: 'MaxRetriesPerRequestError' })).toBe('redis');
    expect(unavailableDependency(new Error('Connection is closed.'))).toBe('redis');
    expect(unavailableDependency(new DependencyUnavailableError('storage', new Error('socket hang up')))).toBe('storage');
  });

  it.each([
    ['a unique violation (PostgreSQL 23505)', { code: '23505' }],
    ['a unique violation (MySQL)', { code: 'ER_DUP_ENTRY' }],
    ['a syntax error (PostgreSQL 42601)', { code: '42601', message: 'syntax error at or near "x"' }],
    ['a plain error', new Error('boom')],
    ['a string', 'boom'],
  ])('names nothing for %s: that is a bug or a conflict, not an outage', (_, error) => {
    expect(unavailableDependency(error)).toBeUndefined();
  });
});
