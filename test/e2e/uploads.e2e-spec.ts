import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { DependencyUnavailableError } from '../../src/availability/dependency-errors';
import { BlobStore } from '../../src/storage/blob-store';
import { UploadsService } from '../../src/uploads/uploads.service';
import { services, startTestApp, TestApp } from '../support/test-app';
import { LoggedInUser, loginAdmin, newUser } from '../support/users';
import { binaryBody } from '../support/http';

const TUS = { 'Tus-Resumable': '1.0.0' };
const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function metadata(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
}

const basic = (u: LoggedInUser) => ({ Authorization: `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}` });

/** CONTRACT §7: tus 1.0.0 at /uploads/, with tus-js-client and by hand. */
describe('resumable uploads (tus)', () => {
  let t: TestApp;
  let endpoint: string;

  beforeAll(async () => {
    t = await startTestApp({ MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) });
    endpoint = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}/uploads/`;
  });
  afterAll(() => t.close());

  async function setQuota(user: LoggedInUser, storageQuota: number | null): Promise<void> {
    const admin = await loginAdmin(t.http);
    await t.http.patch(`/admin/users/${user.username}`).set(admin.auth).send({ storageQuota }).expect(200);
  }

  /** Creates an upload by hand and returns its path (`/uploads/<id>`). */
  async function create(user: LoggedInUser, length: number, filename = 'hand.bin'): Promise<string> {
    const res = await t.http
      .post('/uploads/')
      .set(user.auth)
      .set(TUS)
      .set('Upload-Length', String(length))
      .set('Upload-Metadata', metadata({ filename }))
      .expect(201);
    // Absolute, with the host the client addressed: the ownCloud client follows no relative Location.
    expect(res.headers.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/uploads\/[0-9a-f]{32}$/);
    return new URL(res.headers.location).pathname;
  }

  async function download(user: LoggedInUser, path: string): Promise<Buffer> {
    const res = await t.http
      .get(`/files/${path}`)
      .set(user.auth)
      .buffer(true)
      .parse(binaryBody)
      .expect(200);
    return res.body as Buffer;
  }

  function patch(user: LoggedInUser, location: string, offset: number, body: Buffer) {
    return t.http.patch(location).set(user.auth).set(TUS).set('Upload-Offset', String(offset)).set('Content-Type', 'application/offset+octet-stream').send(body);
  }

  function clientUpload(user: LoggedInUser, data: Buffer, options: Partial<tus.UploadOptions>): Promise<tus.Upload> {
    return new Promise((resolve, reject) => {
      const upload = new tus.Upload(data, {
        endpoint,
        headers: user.auth,
        retryDelays: null,
        ...options,
        onSuccess: () => resolve(upload),
        onError: reject,
      });
      upload.start();
    });
  }

  it('tus-js-client uploads in chunks into a new path, and the file is what a PUT of the same bytes makes', async () => {
    const u = await newUser(t.http, 'tus');
    const data = randomBytes(3 * 1024 * 1024 + 5);
    await clientUpload(u, data, { chunkSize: 1024 * 1024, metadata: { filename: 'deep/er/tus.bin', filetype: 'application/x-demo' } });
    await t.http.put('/files/put.bin').set(u.auth).set('Content-Type', 'application/x-demo').send(data).expect(201);

    expect(sha256(await download(u, 'deep/er/tus.bin'))).toBe(sha256(data));
    const viaTus = await t.http.head('/files/deep/er/tus.bin').set(u.auth).expect(200);
    const viaPut = await t.http.head('/files/put.bin').set(u.auth).expect(200);
    expect(viaTus.headers.etag).toBe(viaPut.headers.etag);
    expect(viaTus.headers['content-type']).toBe(viaPut.headers['content-type']);
    const tusVersions = (await t.http.get('/files/deep/er/tus.bin/versions').set(u.auth).expect(200)).body;
    const putVersions = (await t.http.get('/files/put.bin/versions').set(u.auth).expect(200)).body;
    expect(tusVersions).toHaveLength(1);
    const strip = ({ version, size, sha256: hash, contentType }: Record<string, unknown>) => ({ version, size, sha256: hash, contentType });
    expect(strip(tusVersions[0])).toEqual(strip(putVersions[0]));
    expect((await t.http.get('/folders/deep/er').set(u.auth).expect(200)).text).toContain('tus.bin');

    // A second upload to the same path is a second version, as a second PUT would be.
    await clientUpload(u, Buffer.from('v2'), { metadata: { filename: 'deep/er/tus.bin' } });
    expect((await t.http.get('/files/deep/er/tus.bin/versions').set(u.auth).expect(200)).body).toHaveLength(2);
  });

  it('is cut at 40 %, keeps its offset, and resumes from the upload URL alone to exact bytes', async () => {
    const u = await newUser(t.http, 'tuscut');
    const data = randomBytes(4 * 1024 * 1024);
    let url = '';
    await new Promise<void>((resolve, reject) => {
      const upload = new tus.Upload(data, {
        endpoint,
        headers: u.auth,
        retryDelays: null,
        chunkSize: 256 * 1024,
        metadata: { filename: 'cut.bin' },
        onProgress: (sent) => {
          if (sent >= 0.4 * data.length && url === '') {
            url = upload.url ?? '';
            upload.abort().then(resolve, reject);
          }
        },
        onSuccess: () => reject(new Error('the upload was not cut')),
        onError: reject,
      });
      upload.start();
    });
    expect(url).not.toBe('');
    const location = new URL(url).pathname;
    const head = await t.http.head(location).set(u.auth).set(TUS).expect(200);
    const kept = Number(head.headers['upload-offset']);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(data.length);
    expect(head.headers['upload-length']).toBe(String(data.length));
    expect(head.headers['upload-expires']).toBeUndefined();
    await t.http.get('/files/cut.bin').set(u.auth).expect(404);

    const offsets: string[] = [];
    await clientUpload(u, data, {
      uploadUrl: url,
      chunkSize: 1024 * 1024,
      onBeforeRequest: (req) => {
        if (req.getMethod() === 'PATCH') offsets.push(req.getHeader('Upload-Offset') ?? '');
      },
    });
    expect(offsets[0]).toBe(String(kept));
    const got = await t.http.get('/files/cut.bin').set(u.auth).expect(200);
    expect(got.headers.etag).toBe(`"${sha256(data)}"`);
    // Finished: HEAD reports it complete until it expires.
    expect((await t.http.head(location).set(u.auth).set(TUS).expect(200)).headers['upload-offset']).toBe(String(data.length));
  });

  it('a PATCH cut mid-body keeps the bytes that arrived, and the offset says so', async () => {
    const u = await newUser(t.http, 'tusdrop');
    const location = await create(u, 100);
    const patched = await patch(u, location, 0, Buffer.alloc(30, 1)).expect(204);
    expect(new Date(patched.headers['upload-expires']).getTime()).toBeGreaterThan(Date.now());
    const head = await t.http.head(location).set(u.auth).set(TUS).expect(200);
    expect(head.headers['upload-offset']).toBe('30');
  });

  it('a restarted instance continues an upload from its last synced byte, and the bytes are exact', async () => {
    const u = await newUser(t.http, 'tusboot');
    const data = randomBytes(1000);
    const location = await create(u, data.length, 'boot.bin');
    await patch(u, location, 0, data.subarray(0, 600)).expect(204);
    t = await t.restart();
    endpoint = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}/uploads/`;
    // Local disk: 600 bytes were written but not synced (a machine crash could have lost them), so
    // the upload goes back to 0. S3 had them durably once it answered.
    const offset = Number((await t.http.head(location).set(u.auth).set(TUS).expect(200)).headers['upload-offset']);
    expect(offset).toBe(services.s3 ? 600 : 0);
    await patch(u, location, offset, data.subarray(offset)).expect(204);
    expect(sha256(await download(u, 'boot.bin'))).toBe(sha256(data));
  });

  it('a last PATCH that fails while completing (store down) is completed by the next request, never reported complete before', async () => {
    const u = await newUser(t.http, 'tusfail');
    const location = await create(u, 6, 'late.txt');
    const store = t.app.get(BlobStore);
    const complete = jest.spyOn(store, 'completeResumable').mockRejectedValueOnce(new DependencyUnavailableError('storage', new Error('connect ECONNREFUSED')));
    try {
      await patch(u, location, 0, Buffer.from('late!!')).expect(503);
      await t.http.get('/files/late.txt').set(u.auth).expect(404);
      // The client asks where it stands: the upload is committed first, then said complete.
      expect((await t.http.head(location).set(u.auth).set(TUS).expect(200)).headers['upload-offset']).toBe('6');
      expect((await download(u, 'late.txt')).toString()).toBe('late!!');
      expect(complete).toHaveBeenCalledTimes(2);
    } finally {
      complete.mockRestore();
    }
  });

  it('answers a wrong offset 409, a body past the length 413, and keeps the upload', async () => {
    const u = await newUser(t.http, 'tusoff');
    const location = await create(u, 10);
    const wrong = await patch(u, location, 3, Buffer.from('abc')).expect(409);
    expect(typeof wrong.body.error).toBe('string');
    await patch(u, location, 0, Buffer.alloc(11)).expect(413);
    await patch(u, location, 0, Buffer.from('01234')).expect(204);
    await patch(u, location, 0, Buffer.from('01234')).expect(409);
    const done = await patch(u, location, 5, Buffer.from('56789')).expect(204);
    expect(done.headers['upload-offset']).toBe('10');
    expect((await download(u, 'hand.bin')).toString()).toBe('0123456789');
  });

  it("only the owner sees an upload: others get 404, no credential 403, Basic works", async () => {
    const owner = await newUser(t.http, 'tusown');
    const other = await newUser(t.http, 'tusoth');
    const location = await create(owner, 4);
    for (const method of ['head', 'patch', 'delete'] as const) {
      const req = t.http[method](location).set(other.auth).set(TUS);
      if (method === 'patch') req.set('Upload-Offset', '0').set('Content-Type', 'application/offset+octet-stream').send(Buffer.from('evil'));
      await req.expect(404);
    }
    // As every storage route answers a missing credential (S0): 403.
    await t.http.head(location).set(TUS).expect(403);
    expect((await t.http.post('/uploads/').set(TUS).set('Upload-Length', '1').set('Upload-Metadata', metadata({ filename: 'x' })).expect(403)).body.error).toEqual(expect.any(String));
    await t.http.patch(location).set(basic(owner)).set(TUS).set('Upload-Offset', '0').set('Content-Type', 'application/offset+octet-stream').send(Buffer.from('mine')).expect(204);
    expect((await download(owner, 'hand.bin')).toString()).toBe('mine');
    await t.http.get('/files/hand.bin').set(other.auth).expect(404);
    // A HEAD stays a HEAD: X-HTTP-Method-Override does not turn it into a termination.
    const kept = await create(owner, 4, 'kept.bin');
    await t.http.head(kept).set(owner.auth).set(TUS).set('X-HTTP-Method-Override', 'DELETE').expect(200);
    await t.http.head(kept).set(owner.auth).set(TUS).expect(200);
  });

  it('announces itself to OPTIONS without a credential', async () => {
    const res = await t.http.options('/uploads/').expect(204);
    expect(res.headers['tus-version']).toContain('1.0.0');
    expect(res.headers['tus-extension']).toBe('creation,creation-with-upload,termination,expiration');
  });

  it('refuses a missing or bad filename (400), a length past MAX_UPLOAD_BYTES (413) and past the quota (507), holding the length until the end', async () => {
    const u = await newUser(t.http, 'tusq');
    const post = (length: number, meta?: string) => {
      const req = t.http.post('/uploads/').set(u.auth).set(TUS).set('Upload-Length', String(length));
      return meta === undefined ? req : req.set('Upload-Metadata', meta);
    };
    expect((await post(1).expect(400)).body.error).toMatch(/filename/);
    await post(1, metadata({ filename: '../up' })).expect(400);
    await post(1, metadata({ filename: 'a//b' })).expect(400);
    await post(MAX_UPLOAD_BYTES + 1, metadata({ filename: 'big' })).expect(413);

    await setQuota(u, 1000);
    await post(1001, metadata({ filename: 'q1' })).expect(507);
    const first = new URL((await post(600, metadata({ filename: 'q1' })).expect(201)).headers.location).pathname;
    // 600 bytes are held by the unfinished upload: neither a second upload nor a PUT gets them.
    await post(600, metadata({ filename: 'q2' })).expect(507);
    await t.http.put('/files/p.bin').set(u.auth).send(Buffer.alloc(600)).expect(507);
    // Terminated: the bytes and the reservation are gone.
    await t.http.delete(first).set(u.auth).set(TUS).expect(204);
    await t.http.head(first).set(u.auth).set(TUS).expect(404);
    await post(600, metadata({ filename: 'q2' })).expect(201);
  });

  it("answers @tus/server's own refusals as JSON: a bad Upload-Length or Upload-Metadata (400), no Tus-Resumable (412)", async () => {
    const u = await newUser(t.http, 'tusj');
    const answers = [
      await t.http.post('/uploads/').set(u.auth).set(TUS).set('Upload-Length', '-1').set('Upload-Metadata', metadata({ filename: 'x' })).expect(400),
      await t.http.post('/uploads/').set(u.auth).set(TUS).set('Upload-Length', '1').set('Upload-Metadata', 'filename not%base64!').expect(400),
      await t.http.post('/uploads/').set(u.auth).set('Upload-Length', '1').set('Upload-Metadata', metadata({ filename: 'x' })).expect(412),
    ];
    for (const res of answers) {
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(typeof res.body.error).toBe('string');
    }
    expect(answers[0].body.error).toMatch(/upload-length/i);
  });

  it('holds at most 100 unfinished uploads per account, even without a quota (507); finishing one makes room', async () => {
    const u = await newUser(t.http, 'tusn');
    const locations: string[] = [];
    for (let i = 0; i < 100; i++) locations.push(await create(u, 10, `n${i}.bin`));
    const refused = await t.http.post('/uploads/').set(u.auth).set(TUS).set('Upload-Length', '10').set('Upload-Metadata', metadata({ filename: 'n100.bin' })).expect(507);
    expect(refused.body.error).toMatch(/at most 100 unfinished uploads/);
    // Another account is not affected; a finished upload no longer counts.
    await create(await newUser(t.http, 'tusn'), 10, 'other.bin');
    await patch(u, locations[0], 0, Buffer.alloc(10, 1)).expect(204);
    await create(u, 10, 'n100.bin');
  });

  it('commits a zero-length upload at creation, and creation-with-upload in the POST', async () => {
    const u = await newUser(t.http, 'tus0');
    const empty = await t.http.post('/uploads/').set(u.auth).set(TUS).set('Upload-Length', '0').set('Upload-Metadata', metadata({ filename: 'empty.txt' })).expect(201);
    expect((await t.http.head(new URL(empty.headers.location).pathname).set(u.auth).set(TUS).expect(200)).headers['upload-offset']).toBe('0');
    expect((await download(u, 'empty.txt')).length).toBe(0);
    const whole = await t.http
      .post('/uploads/')
      .set(u.auth)
      .set(TUS)
      .set('Upload-Length', '5')
      .set('Upload-Metadata', metadata({ filename: 'whole.txt', filetype: 'text/plain' }))
      .set('Content-Type', 'application/offset+octet-stream')
      .send(Buffer.from('hello'))
      .expect(201);
    expect(whole.headers['upload-offset']).toBe('5');
    const got = await t.http.get('/files/whole.txt').set(u.auth).expect(200);
    expect(got.text).toBe('hello');
    expect(got.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('refuses at creation a path where no file can go: a folder there, or a file on the way (409)', async () => {
    const u = await newUser(t.http, 'tuspath');
    await t.http.post('/folders/box').set(u.auth).expect(201);
    await t.http.put('/files/plain.txt').set(u.auth).send('x').expect(201);
    for (const filename of ['box', 'plain.txt/inside.bin', 'plain.txt/deeper/inside.bin']) {
      const res = await t.http.post('/uploads/').set(u.auth).set(TUS).set('Upload-Length', '3').set('Upload-Metadata', metadata({ filename })).expect(409);
      expect(typeof res.body.error).toBe('string');
    }
    // Missing parents are fine: they are made when the upload finishes.
    await t.http.post('/uploads/').set(u.auth).set(TUS).set('Upload-Length', '3').set('Upload-Metadata', metadata({ filename: 'box/new/a.bin' })).expect(201);
  });

  it('a finished upload whose path became a folder answers 409 and leaves nothing behind', async () => {
    const u = await newUser(t.http, 'tusconf');
    const location = await create(u, 3, 'taken');
    await t.http.post('/folders/taken').set(u.auth).expect(201);
    const res = await patch(u, location, 0, Buffer.from('abc')).expect(409);
    expect(typeof res.body.error).toBe('string');
    await t.http.head(location).set(u.auth).set(TUS).expect(404);
    expect((await t.http.get('/folders/taken').set(u.auth).expect(200)).body).toMatchObject({ files: [] });
    // The length is no longer held.
    await setQuota(u, 3);
    await t.http.put('/files/after.bin').set(u.auth).send(Buffer.from('xyz')).expect(201);
  });

  it('the sweeper removes uploads idle past UPLOAD_EXPIRY with their bytes and reservations', async () => {
    const u = await newUser(t.http, 'tusexp');
    await setQuota(u, 100);
    const location = await create(u, 100);
    await patch(u, location, 0, Buffer.alloc(40, 7)).expect(204);
    await t.http.put('/files/p.bin').set(u.auth).send(Buffer.alloc(1)).expect(507);
    const swept = await t.app.get(UploadsService).sweepExpired(new Date(Date.now() + t.config.uploadExpiryMs + 1000));
    expect(swept).toBeGreaterThanOrEqual(1);
    await t.http.head(location).set(u.auth).set(TUS).expect(404);
    await t.http.put('/files/p.bin').set(u.auth).send(Buffer.alloc(100)).expect(201);
    if (!services.s3) expect(readdirSync(join(t.config.dataDir, 'blobs', '.uploads'))).toEqual([]);
  });

  it("a user's deletion takes their unfinished uploads with it", async () => {
    const u = await newUser(t.http, 'tusdel');
    const location = await create(u, 50);
    await patch(u, location, 0, Buffer.alloc(20)).expect(204);
    const admin = await loginAdmin(t.http);
    await t.http.delete(`/user/${u.username}`).set(admin.auth).expect((res) => expect([200, 204]).toContain(res.status));
    expect(await t.app.get(UploadsService).current(location.split('/').pop()!)).toBeNull();
    if (!services.s3) expect(readdirSync(join(t.config.dataDir, 'blobs', '.uploads'))).toEqual([]);
  });
});
