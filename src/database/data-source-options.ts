import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { mysql2WithDeadlines } from './mysql-deadlines';

export const SQLITE_FILE = 'cloudstash.sqlite';

/** A database that does not hand out a connection in this long is as good as down. */
const ACQUIRE_TIMEOUT_MS = 3000;

export interface DataSourceUse {
  /**
   * Deadlines on every query and on waiting for a connection (README "When things fail"), so
   * that a database that hangs answers requests 503 in seconds. Off for migrations, which may
   * rightly take long, and run before the server takes requests.
   */
  deadlines: boolean;
}

/**
 * One description of the database for the app, the tests and the TypeORM CLI. Migrations are
 * not run here but by runMigrations() (migrate.ts), under a lock that several instances share.
 */
export function dataSourceOptions(config: AppConfig, use: DataSourceUse = { deadlines: true }): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: false,
  } as const;
  const queryMs = config.db.timeoutMs;
  const acquireMs = Math.min(ACQUIRE_TIMEOUT_MS, queryMs);
  /** Where a database server is, the same for MySQL and PostgreSQL. */
  const server = { host: config.db.host, port: config.db.port, username: config.db.user, password: config.db.password, database: config.db.name };
  if (config.db.type === 'mysql') {
    return {
      ...common,
      type: 'mysql',
      ...server,
      charset: 'utf8mb4_bin',
      timezone: 'Z',
      supportBigNumbers: true,
      // A database that is down fails a request in seconds (answered 503), not mysql2's default 10 s.
      connectTimeout: 3000,
      bigNumberStrings: false,
      extra: { connectionLimit: 20 },
      connectorPackage: 'mysql2',
      ...(use.deadlines ? { driver: mysql2WithDeadlines({ queryMs, acquireMs }) } : {}),
    };
  }
  if (config.db.type === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      ...server,
      // As for MySQL: a database that is down fails a request in seconds, answered 503.
      connectTimeoutMS: 3000,
      // connectionTimeoutMillis also bounds the wait for a pooled client; query_timeout is the
      // client's own deadline (it holds when the server hangs), statement_timeout the server's.
      extra: use.deadlines ? { max: 20, connectionTimeoutMillis: acquireMs, query_timeout: queryMs, statement_timeout: queryMs } : { max: 20 },
    };
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: join(config.dataDir, SQLITE_FILE),
    // WAL lets readers run while a writer commits; busy_timeout covers short write overlaps, and
    // is the deadline of a write waiting for another process's (README "When things fail").
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma(`busy_timeout = ${queryMs}`);
      db.pragma('foreign_keys = ON');
    },
  };
}
