import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobStore } from '../../src/storage/blob-store';
import { blobKeysOf } from '../support/blobs';
import { startTestApp, TestApp } from '../support/test-app';

describe('storage (blob store inside the app)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('GET /health/ready', () => {
    it('reports the blob store as up', async () => {
      const res = await t.http.get('/health/ready').expect(200);
      expect(res.body.status).toBe('ok');
      expect(res.body.info.storage).toEqual({ status: 'up' });
    });
  });

  it('the app gets a working BlobStore from StorageModule', async () => {
    const blobs = t.app.get(BlobStore);
    const key = blobs.newKey();
    const written = await blobs.write(key, Readable.from([Buffer.from('hello')]));
    expect(written.size).toBe(5);
    expect(await blobs.stat(key)).toEqual({ size: 5 });
    expect(await blobKeysOf(t.app)).toContain(key);
    await blobs.delete(key);
    expect(await blobs.stat(key)).toBeNull();
    expect(await blobKeysOf(t.app)).not.toContain(key);
  });

  if (process.env.STORAGE_DRIVER !== 's3') {
    describe('local driver', () => {
      it('start-up removes stale temp files and keeps fresh ones', async () => {
        const tmp = join(t.config.dataDir, 'blobs', '.tmp');
        mkdirSync(tmp, { recursive: true });
        writeFileSync(join(tmp, 'stale'), 'x');
        const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
        utimesSync(join(tmp, 'stale'), twoHoursAgo, twoHoursAgo);
        writeFileSync(join(tmp, 'fresh'), 'x');
        t = await t.restart();
        expect(readdirSync(tmp).sort()).toEqual(['fresh']);
      });

      it('readiness is 503 naming storage when the blob directory is gone', async () => {
        rmSync(join(t.config.dataDir, 'blobs'), { recursive: true, force: true });
        const res = await t.http.get('/health/ready').expect(503);
        expect(res.body.error).toContain('storage');
        expect(res.body.details.storage.status).toBe('down');
        t = await t.restart();
        expect(existsSync(join(t.config.dataDir, 'blobs', '.tmp'))).toBe(true);
        await t.http.get('/health/ready').expect(200);
      });
    });
  }
});
