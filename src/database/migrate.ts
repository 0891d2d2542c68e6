import { DataSource, QueryRunner } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

/** How long an instance waits for another one's migrations before it gives up (and its start fails). */
const LOCK_WAIT_S = 300;

/**
 * Takes the migration lock on the runner's own connection: instances that start together on an
 * empty database would otherwise each create the same tables, and all but one fail. MySQL's
 * named locks are server-wide (named after the database here); PostgreSQL's advisory locks are
 * per database. SQLite's migrations are one transaction of one file, serialised by SQLite itself.
 */
async function lock(runner: QueryRunner, config: AppConfig): Promise<() => Promise<void>> {
  if (config.db.type === 'mysql') {
    const name = `cloudstash-migrations:${config.db.name}`.slice(0, 64);
    const [row] = (await runner.query('SELECT GET_LOCK(?, ?) AS taken', [name, LOCK_WAIT_S])) as { taken: number | string | null }[];
    if (Number(row?.taken) !== 1) throw new Error(`another instance held the migration lock for ${LOCK_WAIT_S} s`);
    return async () => {
      await runner.query('SELECT RELEASE_LOCK(?)', [name]);
    };
  }
  if (config.db.type === 'postgres') {
    await runner.query(`SET lock_timeout = '${LOCK_WAIT_S}s'`);
    await runner.query("SELECT pg_advisory_lock(hashtext('cloudstash-migrations'))");
    return async () => {
      await runner.query("SELECT pg_advisory_unlock(hashtext('cloudstash-migrations'))");
    };
  }
  return () => Promise.resolve();
}

/**
 * Brings the schema up to date before the app's own connection opens, one instance at a time,
 * on a connection without the request deadlines (a migration may rightly take long).
 */
export async function runMigrations(config: AppConfig): Promise<void> {
  const dataSource = await new DataSource(dataSourceOptions(config, { deadlines: false })).initialize();
  try {
    const runner = dataSource.createQueryRunner();
    try {
      const unlock = await lock(runner, config);
      try {
        await dataSource.runMigrations();
      } finally {
        await unlock();
      }
    } finally {
      await runner.release();
    }
  } finally {
    await dataSource.destroy();
  }
}
