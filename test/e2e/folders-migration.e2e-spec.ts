import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { MIGRATIONS } from '../../src/database/migrations';
import { Folders1765000000000 } from '../../src/database/migrations/1765000000000-folders';
import { createTestDatabase, dropTestDatabase } from '../support/test-app';

/**
 * Issue 10: the folders migration keeps every existing file where S0 and S4 clients saw it,
 * with its id, versions and shares, on whichever database the suite runs.
 */
describe('folders migration', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cloudstash-migration-'));
  const dbName = `cloudstash_migration_${randomBytes(5).toString('hex')}`;
  // Only the database matters here: the blob store stays on local disk whatever the run uses.
  const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: dataDir, DB_NAME: dbName, STORAGE_DRIVER: 'local' };
  const server = env.DB_TYPE === 'mysql' || env.DB_TYPE === 'postgres';
  const config = loadConfig(env);
  const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(Folders1765000000000));

  beforeAll(async () => {
    if (server) await createTestDatabase(env, dbName);
  });
  afterAll(async () => {
    if (server) await dropTestDatabase(env, dbName);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps root files with their ids, versions and shares, in the root folder', async () => {
    const old = new DataSource({ ...dataSourceOptions(config), entities: [], migrations: before, migrationsRun: false });
    await old.initialize();
    await old.runMigrations();
    const now = new Date();
    const insert = (table: string, values: Record<string, unknown>) => old.createQueryBuilder().insert().into(table).values(values).execute();
    for (const [id, username] of [
      [7, 'owner1'],
      [9, 'reader1'],
    ] as const) {
      await insert('users', { id, username, password_hash: 'x', role: 'user', data: '{}', created_at: now, updated_at: now });
    }
    await insert('files', { id: 41, owner_id: 7, name: 'report.pdf', created_at: now });
    await insert('files', { id: 42, owner_id: 7, name: 'notes.txt', created_at: now });
    for (const version of [1, 2]) {
      await insert('file_versions', { file_id: 41, version, blob_key: `k${version}`, size: 10 * version, content_type: 'application/pdf', sha256: 'a'.repeat(64), created_at: now });
    }
    await insert('file_shares', { file_id: 41, user_id: 9, created_at: now });
    await old.destroy();

    const current = new DataSource({ ...dataSourceOptions(config), migrationsRun: false });
    await current.initialize();
    try {
      const ran = await current.runMigrations();
      expect(ran.map((m) => m.name)).toContain('Folders1765000000000');
      const files = await current.createQueryBuilder().select(['f.id AS id', 'f.name AS name', 'f.folder_id AS folder']).from('files', 'f').orderBy('f.id').getRawMany<{ id: number; name: string; folder: number }>();
      expect(files.map((f) => ({ id: Number(f.id), name: f.name, folder: Number(f.folder) }))).toEqual([
        { id: 41, name: 'report.pdf', folder: 0 },
        { id: 42, name: 'notes.txt', folder: 0 },
      ]);
      const versions = await current.createQueryBuilder().select('v.version', 'version').from('file_versions', 'v').where('v.file_id = 41').orderBy('v.version').getRawMany<{ version: number }>();
      expect(versions.map((v) => Number(v.version))).toEqual([1, 2]);
      const shares = await current.createQueryBuilder().select('s.user_id', 'userId').from('file_shares', 's').where('s.file_id = 41').getRawMany<{ userId: number }>();
      expect(shares.map((s) => Number(s.userId))).toEqual([9]);
      // A root name is still unique per owner: the new index refuses a second report.pdf in the root.
      await expect(current.createQueryBuilder().insert().into('files').values({ owner_id: 7, folder_id: 0, name: 'report.pdf', created_at: new Date() }).execute()).rejects.toThrow();
    } finally {
      await current.destroy();
    }
  });
});
