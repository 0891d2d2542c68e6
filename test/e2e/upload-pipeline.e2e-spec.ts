import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { UploadReservationsRepository } from '../../src/files/upload-reservations.repository';
import { MetricsService } from '../../src/observability/metrics.service';
import { makeWav } from '../support/audio';
import { blobKeysOf } from '../support/blobs';
import { startTestApp, TestApp } from '../support/test-app';
import { loginAdmin, LoggedInUser, newUser } from '../support/users';

async function setQuota(t: TestApp, user: LoggedInUser, storageQuota: number | null): Promise<void> {
  const admin = await loginAdmin(t.http);
  await t.http.patch(`/admin/users/${user.username}`).set(admin.auth).send({ storageQuota }).expect(200);
}

async function reservations(t: TestApp): Promise<number> {
  const [row] = await t.app.get(DataSource).query<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM upload_reservations');
  return Number(row.n);
}

/** Resolves once `object[method]` has been called and, if it returned a promise, that promise settled. */
function afterNextCall<T extends object, K extends keyof T>(object: T, method: K): Promise<void> {
  const original = (object[method] as (...args: unknown[]) => unknown).bind(object);
  return new Promise((resolve) => {
    jest.spyOn(object, method as never).mockImplementationOnce(((...args: unknown[]) => {
      const result = original(...args);
      if (result instanceof Promise) return result.finally(() => resolve());
      resolve();
      return result;
    }) as never);
  });
}

/** Issue 8, point 7 and the atomic POST /upload: Files and Sounds share one upload pipeline. */
describe('one upload pipeline for Files and Sounds', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('sounds', () => {
    it('count toward storageQuota and bytesStored', async () => {
      const alice = await newUser(t.http, 'pipe');
      const wav = makeWav(1);
      await setQuota(t, alice, wav.length + 1000);
      await t.http.post('/sounds').set(alice.auth).attach('file', wav, 'one.wav').expect(201);
      const admin = await loginAdmin(t.http);
      const listed = await t.http.get('/admin/users').query({ q: alice.username }).set(admin.auth).expect(200);
      expect(listed.body.items[0]).toMatchObject({ username: alice.username, bytesStored: wav.length, fileCount: 0 });
      // 1000 bytes of room left: a file or a sound past it is 507, and nothing of it is kept.
      const before = await blobKeysOf(t.app);
      const file = await t.http.put('/files/big.bin').set(alice.auth).send(randomBytes(2000)).expect(507);
      expect(typeof file.body.error).toBe('string');
      await t.http.post('/sounds').set(alice.auth).attach('file', makeWav(1), 'two.wav').expect(507);
      expect(await blobKeysOf(t.app)).toEqual(before);
      expect((await t.http.get('/sounds').query({ owner: alice.username }).expect(200)).body.total).toBe(1);
      // Deleting the sound frees its bytes.
      const id = (await t.http.get('/sounds').query({ owner: alice.username }).expect(200)).body.items[0].id as number;
      await t.http.delete(`/sounds/${id}`).set(alice.auth).expect(204);
      await t.http.put('/files/big.bin').set(alice.auth).send(randomBytes(2000)).expect(201);
    });

    it('hold a reservation row while their bytes arrive (the sweeper cleans up after a crash), and a cut one leaves nothing', async () => {
      const bob = await newUser(t.http, 'pipe');
      const before = await blobKeysOf(t.app);
      const boundary = 'soundBOUNDARY';
      const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.wav"\r\nContent-Type: audio/wav\r\n\r\n`);
      const port = (t.app.getHttpServer().address() as AddressInfo).port;
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/sounds',
        headers: { ...bob.auth, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(head.length + 400_000) },
      });
      req.on('error', () => undefined);
      // The pipeline counts an upload in flight right after its reservation row is in.
      const started = afterNextCall(t.app.get(MetricsService), 'uploadStarted');
      const released = afterNextCall(t.app.get(UploadReservationsRepository), 'deleteOfBlob');
      req.write(head);
      req.write(makeWav(2).subarray(0, 20_000));
      await started;
      expect(await reservations(t)).toBe(1);
      const metrics = (await t.http.get('/metrics').expect(200)).text;
      expect(metrics).toMatch(/^cloudstash_uploads_in_flight 1$/m);
      req.destroy();
      // The cut upload's blob goes first, then its reservation.
      await released;
      expect(await reservations(t)).toBe(0);
      expect(await blobKeysOf(t.app)).toEqual(before);
      expect((await t.http.get('/sounds').query({ owner: bob.username }).expect(200)).body.total).toBe(0);
    });
  });

  describe('POST /upload is all or nothing', () => {
    it('keeps none of the parts when a later part has a bad name (over 255 bytes)', async () => {
      const carol = await newUser(t.http, 'pipe');
      const before = await blobKeysOf(t.app);
      const boundary = 'nameBOUNDARY';
      const body =
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="first.txt"\r\nContent-Type: text/plain\r\n\r\nfirst\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${'x'.repeat(300)}"\r\nContent-Type: text/plain\r\n\r\nsecond\r\n--${boundary}--\r\n`;
      await t.http.post('/upload').set(carol.auth).set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(body).expect(400);
      expect((await t.http.get('/files').set(carol.auth).expect(200)).body).toEqual([]);
      expect(await blobKeysOf(t.app)).toEqual(before);
    });

    it('keeps none of the parts when a later part passes the quota', async () => {
      const dave = await newUser(t.http, 'pipe');
      await setQuota(t, dave, 5000);
      const before = await blobKeysOf(t.app);
      await t.http.post('/upload').set(dave.auth).attach('file', randomBytes(3000), 'a.bin').attach('file', randomBytes(3000), 'b.bin').expect(507);
      expect((await t.http.get('/files').set(dave.auth).expect(200)).body).toEqual([]);
      expect(await blobKeysOf(t.app)).toEqual(before);
      // The quota is whole again: both fit one at a time after a cleanup of nothing.
      await t.http.post('/upload').set(dave.auth).attach('file', randomBytes(3000), 'a.bin').expect(201);
    });

    it('keeps none of the parts when the body is cut after the first part', async () => {
      const erin = await newUser(t.http, 'pipe');
      const before = await blobKeysOf(t.app);
      const boundary = 'cutBOUNDARY';
      const body = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="whole.txt"\r\nContent-Type: text/plain\r\n\r\ncomplete part\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.txt"\r\nContent-Type: text/plain\r\n\r\nthe body stops here`,
      );
      const port = (t.app.getHttpServer().address() as AddressInfo).port;
      const status = await new Promise<number>((resolve) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, method: 'POST', path: '/upload', headers: { ...erin.auth, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(body.length) } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', () => resolve(0));
        req.end(body);
      });
      expect(status).toBe(400);
      expect((await t.http.get('/files').set(erin.auth).expect(200)).body).toEqual([]);
      expect(await blobKeysOf(t.app)).toEqual(before);
      expect(await reservations(t)).toBe(0);
    });
  });
});
