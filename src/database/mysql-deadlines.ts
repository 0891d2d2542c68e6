import * as mysql2 from 'mysql2';

/** mysql2's code for a query that timed out: unavailableDependency() already counts it as the database's. */
const TIMEOUT_CODE = 'PROTOCOL_SEQUENCE_TIMEOUT';

export interface Deadlines {
  /** A query that has not answered by then fails, and its connection is dropped. */
  queryMs: number;
  /** A request that waited this long for a pooled connection fails. */
  acquireMs: number;
}

type Callback = (error: Error | null, ...results: unknown[]) => void;

interface QueryableConnection {
  query(...args: unknown[]): unknown;
  destroy(): void;
  release(): void;
}

interface PatchablePool {
  getConnection(callback: (error: Error | null, connection?: QueryableConnection) => void): void;
}

const PATCHED = Symbol('cloudstash.deadline');

function timeoutError(what: string, ms: number): Error {
  return Object.assign(new Error(`the database did not ${what} within ${ms} ms`), { code: TIMEOUT_CODE });
}

/**
 * mysql2 can time a query out, but keeps the connection busy with it: TypeORM hands that
 * connection back to the pool, and the next request's query queues behind the one that hung,
 * untimed. Nor does its pool time out a wait for a connection. A database that hangs (paused,
 * a network that drops packets) would hold every request for as long as it hangs. So the
 * connection of a query that misses its deadline is destroyed (the pool forgets it), and a wait
 * for a connection has a deadline of its own; both fail with an error the app answers 503.
 */
function withQueryDeadline(connection: QueryableConnection, queryMs: number): QueryableConnection {
  const patched = connection as QueryableConnection & { [PATCHED]?: true };
  if (patched[PATCHED]) return connection;
  patched[PATCHED] = true;
  const query = connection.query.bind(connection);
  /** The callback, called with a timeout error (the connection destroyed) if the answer does not come in time. */
  const deadlineOn = (callback: Callback): Callback => {
    let answered = false;
    const timer = setTimeout(() => {
      answered = true;
      connection.destroy();
      callback(timeoutError('answer a query', queryMs));
    }, queryMs);
    return (error, ...results) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      callback(error, ...results);
    };
  };
  connection.query = (...args: unknown[]): unknown => {
    // The pool's own query() hands over a prepared command that carries its callback (onResult).
    const command = args[0] as { onResult?: Callback } | undefined;
    if (args.length === 1 && typeof command?.onResult === 'function') {
      command.onResult = deadlineOn(command.onResult);
      return query(command);
    }
    const last = args[args.length - 1];
    // Streams (no callback) are left as they are: nothing in the app uses them.
    if (typeof last !== 'function') return query(...args);
    return query(...args.slice(0, -1), deadlineOn(last as Callback));
  };
  return connection;
}

/** The mysql2 module, with pools whose connections and queries have deadlines; given to TypeORM as its driver. */
export function mysql2WithDeadlines(deadlines: Deadlines): typeof mysql2 {
  const createPool = (options: mysql2.PoolOptions): mysql2.Pool => {
    const pool = mysql2.createPool(options);
    const patchable = pool as unknown as PatchablePool;
    const getConnection = patchable.getConnection.bind(pool);
    patchable.getConnection = (callback) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        callback(timeoutError('give a connection', deadlines.acquireMs));
      }, deadlines.acquireMs);
      getConnection((error, connection) => {
        if (settled) {
          // Came too late for its request: back into the pool for the next one.
          connection?.release();
          return;
        }
        settled = true;
        clearTimeout(timer);
        if (error || !connection) callback(error);
        else callback(null, withQueryDeadline(connection, deadlines.queryMs));
      });
    };
    return pool;
  };
  return { ...mysql2, createPool } as typeof mysql2;
}
