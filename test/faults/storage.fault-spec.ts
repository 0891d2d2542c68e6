import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { BlobStore } from '../../src/storage/blob-store';
import { FaultProxy } from '../support/fault-proxy';
import { LogCapture } from '../support/log-capture';
import { InFlightWork } from '../../src/lifecycle/in-flight-work';
import { startS3rver, TestS3 } from '../support/s3';
import { newUser, LoggedInUser } from '../support/users';
import { startTestApp, TestApp } from '../support/test-app';
import { Acknowledged, createTusUpload, errorLines, eventsOf, expectInvariants, expectRetryLater, recoveryOf, sha256, TUS, tusPatch, uniqueBytes } from './fault-kit';


/** SQLite and the S3 driver (a private s3rver): the store is the dependency that fails here. */
describe('storage faults (SQLite + S3)', () => {
  let t: TestApp;
  const logs = new LogCapture();
  const acknowledged: Acknowledged[] = [];

  beforeAll(async () => {
    t = await startTestApp({ DB_TYPE: 'sqlite', REDIS_URL: undefined, STORAGE_DRIVER: 's3', S3_ENDPOINT: undefined, LOG_LEVEL: 'info' }, { logDestination: logs });
  });
  afterAll(() => t?.close());

  async function reservations(): Promise<number> {
    const [row] = await t.app.get(DataSource).query<{ n: number }[]>('SELECT COUNT(*) AS n FROM upload_reservations');
    return Number(row.n);
  }

  /** Sends `send` bytes of a body announced as `announce` bytes, then hangs up. */
  function cutUpload(user: LoggedInUser, method: string, path: string, headers: Record<string, string>, announce: number, send: number): Promise<void> {
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    return new Promise((resolve) => {
      const req = httpRequest({ port, host: '127.0.0.1', method, path, headers: { ...user.auth, ...headers, 'Content-Length': String(announce) } });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(uniqueBytes(send), () => setImmediate(() => req.destroy()));
    });
  }

  it('clients that cancel uploads (PUT and tus PATCH) are no storage outage: nothing logged as one, nothing left behind', async () => {
    const user = await newUser(t.http, 'cancel');
    const location = await createTusUpload(t, user, 3_000_000, 'cancelled.bin');
    logs.lines.length = 0;
    const before = await reservations();
    await cutUpload(user, 'PUT', '/files/cancelled-put.bin', {}, 3_000_000, 500_000);
    await cutUpload(user, 'PATCH', location, { ...TUS, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }, 3_000_000, 500_000);
    // Both requests are over (logged as 499), and the clean-up they left running has finished:
    // the PUT's reservation is gone, the tus upload keeps its own.
    await logs.waitFor((l) => l.status === 499 && l.path === '/files/cancelled-put.bin');
    await logs.waitFor((l) => l.status === 499 && l.path === location);
    await t.app.get(InFlightWork).settled(30_000);
    expect(await reservations()).toBe(before);
    expect(eventsOf(logs, 'storage')).toEqual([]);
    expect(eventsOf(logs, 'database')).toEqual([]);
    expect(errorLines(logs)).toEqual([]);
    // What the PATCH stored before the cut is kept: the client resumes from there.
    const offset = Number((await t.http.head(location).set(user.auth).set(TUS).expect(200)).headers['upload-offset']);
    expect(offset).toBeLessThanOrEqual(500_000);
    await t.http.delete(location).set(user.auth).set(TUS).expect(204);
    await expectInvariants(t, acknowledged);
  });

  it('a tus upload whose last PATCH finds the store down is completed by the next request once it is back', async () => {
    const user = await newUser(t.http, 'complete');
    const s3 = t.s3;
    if (!s3) throw new Error('the test app has no private s3rver');
    const data = uniqueBytes(120_000);
    const location = await createTusUpload(t, user, data.length, 'completed.bin');
    await tusPatch(t, user, location, 0, data.subarray(0, 60_000)).expect(204);
    const store = t.app.get(BlobStore);
    const complete = store.completeResumable.bind(store);
    jest.spyOn(store, 'completeResumable').mockImplementationOnce(async (...args) => {
      await s3.pause();
      return complete(...args);
    });
    expectRetryLater(await tusPatch(t, user, location, 60_000, data.subarray(60_000)), /file storage/);
    await s3.resume();
    await logs.waitFor(recoveryOf('storage'));
    expect((await t.http.head(location).set(user.auth).set(TUS).expect(200)).headers['upload-offset']).toBe(String(data.length));
    acknowledged.push({ user, path: 'completed.bin', sha256: sha256(data), size: data.length });
    await expectInvariants(t, acknowledged);
  });
});

/** The store hangs (a proxy in front of s3rver stops forwarding): requests are answered, not held. */
describe('a hung S3 (SQLite + S3 behind a stalled proxy)', () => {
  let s3: TestS3;
  let proxy: FaultProxy;
  let t: TestApp;
  const logs = new LogCapture();

  beforeAll(async () => {
    s3 = await startS3rver();
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) });
    t = await startTestApp({ DB_TYPE: 'sqlite', REDIS_URL: undefined, ...s3.env, S3_ENDPOINT: `http://127.0.0.1:${proxy.port}`, LOG_LEVEL: 'info' }, { logDestination: logs });
  });
  afterAll(async () => {
    proxy?.unstall();
    await t?.close();
    await proxy?.close();
    await s3?.stop();
  });

  it('answers uploads and downloads 503 within 10 s, cuts a download whose bytes stop, and serves again when it wakes', async () => {
    const user = await newUser(t.http, 'hungs3');
    const small = uniqueBytes(10_000);
    const big = uniqueBytes(30 * 1024 * 1024);
    await t.http.put('/files/small.bin').set(user.auth).send(small).expect(201);
    await t.http.put('/files/big.bin').set(user.auth).send(big).expect(201);

    // A download that has begun: the store stops in the middle of its body.
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    let received = 0;
    let stalledAt = 0;
    const cut = new Promise<number>((resolve) => {
      const req = httpRequest({ port, host: '127.0.0.1', path: '/files/big.bin', headers: user.auth }, (res) => {
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (stalledAt === 0 && received > 1024 * 1024) {
            proxy.stall();
            stalledAt = Date.now();
          }
        });
        res.on('error', () => resolve(Date.now() - stalledAt));
        res.on('end', () => resolve(-1));
      });
      req.on('error', () => resolve(Date.now() - stalledAt));
      req.end();
    });
    const cutAfter = await cut;
    expect(received).toBeLessThan(big.length);
    expect(cutAfter).toBeGreaterThan(0);
    expect(cutAfter).toBeLessThan(10_000);

    const started = Date.now();
    const answers = await Promise.all([t.http.put('/files/during.bin').set(user.auth).send(uniqueBytes(5000)), t.http.get('/files/small.bin').set(user.auth)]);
    for (const res of answers) expectRetryLater(res, /file storage/);
    expect(Date.now() - started).toBeLessThan(10_000);

    proxy.unstall();
    await logs.waitFor(recoveryOf('storage'));
    expect(sha256((await t.http.get('/files/small.bin').set(user.auth).buffer(true).expect(200)).body as Buffer)).toBe(sha256(small));
    await expectInvariants(t, [
      { user, path: 'small.bin', sha256: sha256(small), size: small.length },
      { user, path: 'big.bin', sha256: sha256(big), size: big.length },
    ]);
  });
});
