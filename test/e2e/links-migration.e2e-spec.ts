import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { MIGRATIONS } from '../../src/database/migrations';
import { LinkBytesServed1769200000000 } from '../../src/database/migrations/1769200000000-link-bytes-served';
import { createTestDatabase, dropTestDatabase } from '../support/test-app';

/**
 * Issue 20: a link's limit became a budget of bytes sent (CONTRACT §8). The migration carries
 * each link's whole downloads over as bytes of its file's newest version, on whichever database
 * the suite runs.
 */
describe('link bytes migration', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cloudstash-migration-'));
  const dbName = `cloudstash_migration_${randomBytes(5).toString('hex')}`;
  // Only the database matters here: the blob store stays on local disk whatever the run uses.
  const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: dataDir, DB_NAME: dbName, STORAGE_DRIVER: 'local' };
  const server = env.DB_TYPE === 'mysql' || env.DB_TYPE === 'postgres';
  const config = loadConfig(env);
  const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(LinkBytesServed1769200000000));

  beforeAll(async () => {
    if (server) await createTestDatabase(env, dbName);
  });
  afterAll(async () => {
    if (server) await dropTestDatabase(env, dbName);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("counts each link's earlier downloads as that many times its file's newest size", async () => {
    const old = new DataSource({ ...dataSourceOptions(config), entities: [], migrations: before, migrationsRun: false });
    await old.initialize();
    await old.runMigrations();
    const now = new Date();
    const later = new Date(Date.now() + 3600_000);
    const insert = (table: string, values: Record<string, unknown>) => old.createQueryBuilder().insert().into(table).values(values).execute();
    await insert('users', { id: 7, username: 'owner1', password_hash: 'x', role: 'user', data: '{}', created_at: now, updated_at: now });
    await insert('files', { id: 41, owner_id: 7, name: 'report.pdf', created_at: now });
    for (const version of [1, 2]) {
      await insert('file_versions', { file_id: 41, version, blob_key: `k${version}`, size: 1000 * version, content_type: 'application/pdf', sha256: 'a'.repeat(64), created_at: now });
    }
    const link = (id: number, downloads: number, maxDownloads: number | null) =>
      insert('links', { id, owner_id: 7, file_id: 41, token_hash: String(id).repeat(64).slice(0, 64), expires_at: later, max_downloads: maxDownloads, downloads, created_at: now });
    await link(1, 3, 5);
    await link(2, 0, 1);
    await link(3, 2, null);
    await old.destroy();

    const current = new DataSource({ ...dataSourceOptions(config), migrationsRun: false });
    await current.initialize();
    try {
      const ran = await current.runMigrations();
      expect(ran.map((m) => m.name)).toContain('LinkBytesServed1769200000000');
      const rows = await current
        .createQueryBuilder()
        .select(['l.id AS id', 'l.downloads AS downloads', 'l.bytes_served AS bytes'])
        .from('links', 'l')
        .orderBy('l.id')
        .getRawMany<{ id: number; downloads: number; bytes: number | string }>();
      expect(rows.map((r) => ({ id: Number(r.id), downloads: Number(r.downloads), bytes: Number(r.bytes) }))).toEqual([
        { id: 1, downloads: 3, bytes: 6000 },
        { id: 2, downloads: 0, bytes: 0 },
        { id: 3, downloads: 2, bytes: 4000 },
      ]);
    } finally {
      await current.destroy();
    }
  });
});
