import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app-factory';
import { loadConfig } from '../../src/config/app-config';
import { LogCapture } from '../support/log-capture';
import { createTestDatabase, dropTestDatabase } from '../support/test-app';

/** The shared database servers are only used here (a database of the test's own), never stopped. */
const SERVERS = {
  'MariaDB': { DB_TYPE: 'mysql', DB_HOST: '127.0.0.1', DB_PORT: '3306', DB_USER: 'root', DB_PASSWORD: '' },
  'PostgreSQL': { DB_TYPE: 'postgres', DB_HOST: '127.0.0.1', DB_PORT: '5432', DB_USER: 'postgres', DB_PASSWORD: '' },
};

describe.each(Object.entries(SERVERS))('two instances starting at once on an empty %s database', (_, server) => {
  it('both start without an error: one migrates while the other waits for the lock, then finds the schema made', async () => {
    const name = `cloudstash_test_${randomBytes(6).toString('hex')}`;
    await createTestDatabase(server, name);
    const dirs = [mkdtempSync(join(tmpdir(), 'cloudstash-a-')), mkdtempSync(join(tmpdir(), 'cloudstash-b-'))];
    const logs = new LogCapture();
    // Without the lock, one instance's migrations fail on the other's tables (and TypeOrmModule starts it over 3 s later).
    const failures: unknown[] = [];
    const runMigrations = DataSource.prototype.runMigrations;
    jest.spyOn(DataSource.prototype, 'runMigrations').mockImplementation(function (this: DataSource, ...args: Parameters<DataSource['runMigrations']>) {
      return runMigrations.apply(this, args).catch((error: unknown) => {
        failures.push(error);
        throw error;
      });
    });
    try {
      const configs = dirs.map((dir) => loadConfig({ ...server, DB_NAME: name, DATA_DIR: dir, JWT_SECRET: 'one-secret-for-both-instances', LOG_LEVEL: 'info' }));
      const apps = await Promise.all(configs.map((config) => createApp(config, { logDestination: logs })));
      for (const app of apps) await app.close();
      expect(failures).toEqual([]);
      expect(logs.lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
    } finally {
      jest.restoreAllMocks();
      await dropTestDatabase(server, name);
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
