import { watch } from 'node:fs';
import { rm, readdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { BlobSweeper, ORPHAN_GRACE_MS } from '../../src/files/blob-sweeper.service';
import { BlobStore } from '../../src/storage/blob-store';
import { LogCapture } from '../support/log-capture';
import { mountTmpfs, Tmpfs } from '../support/tmpfs';
import { loginAdmin, LoggedInUser, newUser } from '../support/users';
import { startTestApp, TestApp } from '../support/test-app';
import { Acknowledged, createTusUpload, errorLines, eventsOf, expectInvariants, recoveryOf, sha256, TUS, tusPatch, uniqueBytes } from './fault-kit';

/** SQLite and local blobs only: the disk under DATA_DIR is the dependency here. */
const EMBEDDED = { DB_TYPE: 'sqlite', DB_HOST: undefined, DB_PORT: undefined, DB_USER: undefined, REDIS_URL: undefined, STORAGE_DRIVER: 'local', LOG_LEVEL: 'info' };

const basic = (u: LoggedInUser) => ({ Authorization: `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}` });

describe('a full disk (SQLite + local disk on a small tmpfs)', () => {
  let disk: Tmpfs;
  let t: TestApp;
  const logs = new LogCapture();
  const acknowledged: Acknowledged[] = [];

  beforeAll(async () => {
    disk = await mountTmpfs(32 * 1024 * 1024);
    t = await startTestApp({ ...EMBEDDED, DATA_DIR: disk.path }, { logDestination: logs });
  });
  afterAll(async () => {
    await t?.close();
    await disk?.unmount();
  });

  it('answers uploads 507 and logins 503 or 200, never 500; readiness says so; one outage line; all of it works again once space is freed', async () => {
    const user = await newUser(t.http, 'full');
    const kept = uniqueBytes(20_000);
    await t.http.put('/files/kept.bin').set(user.auth).send(kept).expect(201);
    acknowledged.push({ user, path: 'kept.bin', sha256: sha256(kept), size: kept.length });
    const resumable = uniqueBytes(50_000);
    const location = await createTusUpload(t, user, resumable.length, 'resumable.bin');
    await tusPatch(t, user, location, 0, resumable.subarray(0, 10_000)).expect(204);
    logs.lines.length = 0;

    const filler = await disk.fill();
    try {
      // 507 where the bytes had no room, 503 where SQLite (on the same disk) could not write its row first.
      const put = await t.http.put('/files/full.bin').set(user.auth).send(uniqueBytes(100_000));
      const davPut = await t.http.put('/dav/full-dav.bin').set(basic(user)).send(uniqueBytes(100_000));
      const patch = await tusPatch(t, user, location, 10_000, resumable.subarray(10_000));
      const login = await t.http.post('/login').send({ username: user.username, password: user.password });
      for (const res of [put, davPut, patch, login]) {
        const error = (res.body as { error?: string }).error;
        if (res.status === 507) expect(error).toMatch(/storage is full/);
        else if (res.status === 503) expect(error).toMatch(/database/);
        else expect({ status: res.status, isLogin: res === login }).toEqual({ status: 200, isLogin: true });
        if (res.status >= 500) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect(patch.status).toBe(507);
      expect([200, 503]).toContain(login.status);
      // Reading needs no room.
      expect(sha256((await t.http.get('/files/kept.bin').set(user.auth).buffer(true).expect(200)).body as Buffer)).toBe(sha256(kept));
      const ready = await t.http.get('/health/ready').expect(503);
      expect(ready.body.error).toMatch(/storage/);
      expect(eventsOf(logs, 'storage')).toEqual(['outage']);
      expect(eventsOf(logs, 'database')).not.toContain('recovery');
      expect(errorLines(logs)).toEqual([]);
    } finally {
      await rm(filler);
    }
    await logs.waitFor(recoveryOf('storage'));
    if (eventsOf(logs, 'database').includes('outage')) await logs.waitFor(recoveryOf('database'));
    await t.http.get('/health/ready').expect(200);
    const later = uniqueBytes(100_000);
    await t.http.put('/files/full.bin').set(user.auth).send(later).expect(201);
    acknowledged.push({ user, path: 'full.bin', sha256: sha256(later), size: later.length });
    // The append that met the full disk recorded nothing: the client resumes where the server says.
    expect((await t.http.head(location).set(user.auth).set(TUS).expect(200)).headers['upload-offset']).toBe('10000');
    await tusPatch(t, user, location, 10_000, resumable.subarray(10_000)).expect(204);
    acknowledged.push({ user, path: 'resumable.bin', sha256: sha256(resumable), size: resumable.length });
    expect(errorLines(logs)).toEqual([]);
    await expectInvariants(t, acknowledged);
  });

  it('a quota refusal (507) is a warning, not an error with a stack trace', async () => {
    const user = await newUser(t.http, 'quota');
    const admin = await loginAdmin(t.http);
    await t.http.patch(`/admin/users/${user.username}`).set(admin.auth).send({ storageQuota: 1000 }).expect(200);
    logs.lines.length = 0;
    await t.http.put('/files/big.bin').set(user.auth).send(uniqueBytes(5000)).expect(507);
    expect(errorLines(logs)).toEqual([]);
    expect(logs.lines.some((l) => l.status === 507 && Number(l.level) === 40)).toBe(true);
  });

  it("the orphan sweep removes a partial upload file no upload continues, and keeps a paused upload's", async () => {
    const user = await newUser(t.http, 'leftover');
    const paused = uniqueBytes(4000);
    const location = await createTusUpload(t, user, paused.length, 'paused.bin');
    await tusPatch(t, user, location, 0, paused.subarray(0, 1000)).expect(204);
    // A crash's leftover: a partial file whose upload row is gone.
    const store = t.app.get(BlobStore);
    const leftover = store.newKey();
    await store.startResumable(leftover, 'application/octet-stream');
    expect(await t.app.get(BlobSweeper).sweep(Date.now() + ORPHAN_GRACE_MS + 60_000)).toEqual({ blobs: 0, resumables: 1 });
    await tusPatch(t, user, location, 1000, paused.subarray(1000)).expect(204);
    acknowledged.push({ user, path: 'paused.bin', sha256: sha256(paused), size: paused.length });
    await expectInvariants(t, acknowledged);
  });
});

describe('an upload cut by the end of the shutdown grace (SQLite + local disk)', () => {
  it('removes its temp file and releases its reservation before the database closes', async () => {
    const t = await startTestApp({ ...EMBEDDED, SHUTDOWN_GRACE: '500ms', LOG_LEVEL: 'silent' });
    const dataDir = t.config.dataDir;
    try {
      const user = await newUser(t.http, 'cut');
      const { port } = t.app.getHttpServer().address() as AddressInfo;
      // 10 MB announced, 1 MB sent, then the client waits: the grace runs out with the upload open.
      const req = httpRequest({ port, host: '127.0.0.1', method: 'PUT', path: '/files/cut.bin', headers: { ...user.auth, 'Content-Length': String(10_000_000) } });
      req.on('error', () => undefined);
      // The upload's temp file appearing is the moment it is under way.
      const tempDir = join(dataDir, 'blobs', '.tmp');
      const started = new Promise<void>((resolve) => {
        const watcher = watch(tempDir, () => {
          watcher.close();
          resolve();
        });
      });
      req.write(uniqueBytes(1_000_000));
      await started;
      expect((await readdir(tempDir)).length).toBe(1);
      await t.app.close();
      expect(await readdir(tempDir)).toEqual([]);
      const db = await new DataSource({ ...dataSourceOptions(t.config), entities: [], migrations: [] }).initialize();
      try {
        expect(await db.query('SELECT COUNT(*) AS n FROM upload_reservations')).toEqual([{ n: 0 }]);
      } finally {
        await db.destroy();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
