import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export const SQLITE_FILE = 'cloudstash.sqlite';

/** One description of the database for the app, the tests and the TypeORM CLI. */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    logging: false,
  } as const;
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
    };
  }
  if (config.db.type === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      ...server,
      // As for MySQL: a database that is down fails a request in seconds, answered 503.
      connectTimeoutMS: 3000,
      extra: { max: 20 },
    };
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: join(config.dataDir, SQLITE_FILE),
    // WAL lets readers run while a writer commits; busy_timeout covers short write overlaps.
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
    },
  };
}
