import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import Redis from 'ioredis';
import * as tus from 'tus-js-client';
import { makeWav } from '../support/audio';
import { DIST_MAIN, ServerProcess, startServer } from '../support/built-server';
import { GENEROUS_RATE_LIMITS } from '../support/rate-limits';
import { startS3rver, TestS3 } from '../support/s3';
import { createTestDatabase, dropTestDatabase } from '../support/test-app';

const ROOT = resolve(__dirname, '../..');
const dbType = process.env.DB_TYPE ?? '';
const enabled = (dbType === 'mysql' || dbType === 'postgres') && Boolean(process.env.REDIS_URL);
const ADMIN = { username: 'admin', password: 'admin-password-1' };

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
  bytes: Buffer;
}

async function call(server: ServerProcess, method: string, path: string, options: { token?: string; json?: unknown; body?: Buffer | FormData; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | Buffer | FormData | undefined = options.body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const res = await fetch(`${server.url}${path}`, { method, headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  let parsed: Record<string, unknown> = {};
  if ((res.headers.get('content-type') ?? '').includes('json') && bytes.length > 0) parsed = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  return { status: res.status, body: parsed, headers: res.headers, bytes };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

(enabled ? describe : describe.skip)(`two instances on one ${dbType === 'postgres' ? 'PostgreSQL' : 'MariaDB'}, one Redis and one S3`, () => {
  const suffix = randomBytes(5).toString('hex');
  const dbName = `cloudstash_multi_${suffix}`;
  const redisPrefix = `cloudstash-multi-${suffix}:`;
  const dataDirs = [mkdtempSync(join(tmpdir(), 'cloudstash-a-')), mkdtempSync(join(tmpdir(), 'cloudstash-b-'))];
  let s3: TestS3;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT });
    await createTestDatabase(process.env, dbName);
    s3 = await startS3rver();
    const shared = {
      DB_TYPE: dbType,
      DB_HOST: process.env.DB_HOST ?? '127.0.0.1',
      DB_PORT: process.env.DB_PORT ?? (dbType === 'postgres' ? '5432' : '3306'),
      DB_USER: process.env.DB_USER ?? 'root',
      DB_PASSWORD: process.env.DB_PASSWORD ?? '',
      DB_NAME: dbName,
      REDIS_URL: process.env.REDIS_URL ?? '',
      REDIS_KEY_PREFIX: redisPrefix,
      JWT_SECRET: randomBytes(32).toString('hex'),
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      ...GENEROUS_RATE_LIMITS,
      ...s3.env,
    };
    // One after the other: the first runs the migrations, the second finds them done.
    a = await startServer(DIST_MAIN, { ...shared, DATA_DIR: dataDirs[0] });
    b = await startServer(DIST_MAIN, { ...shared, DATA_DIR: dataDirs[1] });
  }, 180_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await s3?.stop();
    await dropTestDatabase(process.env, dbName);
    const redis = new Redis(process.env.REDIS_URL ?? '');
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  async function registerOn(server: ServerProcess): Promise<{ username: string; password: string }> {
    const username = `m${randomBytes(5).toString('hex')}`;
    const password = `pw-${username}-secret`;
    expect((await call(server, 'POST', '/register', { json: { username, password } })).status).toBe(204);
    return { username, password };
  }

  async function loginOn(server: ServerProcess, credentials: { username: string; password: string }): Promise<string> {
    const res = await call(server, 'POST', '/login', { json: credentials });
    expect(res.status).toBe(200);
    return res.body.token as string;
  }

  it('registers on one and logs in on the other; a token from one works on the other', async () => {
    const alice = await registerOn(a);
    const token = await loginOn(b, alice);
    const onA = await call(a, 'GET', `/user/${alice.username}`, { token });
    expect(onA.status).toBe(200);
    expect(onA.body.username).toBe(alice.username);
    expect((await call(b, 'GET', '/files', { token })).status).toBe(200);
  });

  it('uploads on one, downloads and streams on the other, byte for byte', async () => {
    const bob = await registerOn(a);
    const token = await loginOn(a, bob);
    const bytes = randomBytes(300_000);
    const put = await call(a, 'PUT', '/files/report.bin', { token, body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
    expect(put.status).toBe(201);
    const got = await call(b, 'GET', '/files/report.bin', { token });
    expect(got.status).toBe(200);
    expect(got.bytes.equals(bytes)).toBe(true);
    expect(got.headers.get('etag')).toBe(`"${createHash('sha256').update(bytes).digest('hex')}"`);
    const part = await call(b, 'GET', '/files/report.bin', { token, headers: { Range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(part.bytes.equals(bytes.subarray(1000, 2000))).toBe(true);

    const wav = makeWav(0.5);
    const form = new FormData();
    form.append('file', new Blob([wav], { type: 'audio/wav' }), 'tone.wav');
    const sound = await call(b, 'POST', '/sounds', { token, body: form });
    expect(sound.status).toBe(201);
    const stream = await call(a, 'GET', `/sounds/${String(sound.body.id)}/stream`, { headers: { Range: 'bytes=0-' } });
    expect(stream.status).toBe(206);
    expect(stream.bytes.equals(wav)).toBe(true);
  });

  it('serves a public link made on one from both, counting downloads across them: 20 at once against maxDownloads 3 give 3', async () => {
    const carol = await registerOn(a);
    const token = await loginOn(a, carol);
    const bytes = randomBytes(100_000);
    expect((await call(a, 'PUT', '/files/share/me.bin', { token, body: bytes, headers: { 'Content-Type': 'application/octet-stream' } })).status).toBe(201);
    const made = await call(a, 'POST', '/links', { token, json: { path: 'share/me.bin', password: 'link-pass', maxDownloads: 3 } });
    expect(made.status).toBe(201);
    const url = made.body.url as string;
    expect((await call(b, 'GET', url)).status).toBe(401);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call(i % 2 === 0 ? a : b, 'POST', url, { json: { password: 'link-pass' } })));
    const served = answers.filter((answer) => answer.status === 200);
    expect(served).toHaveLength(3);
    for (const answer of served) expect(answer.bytes.equals(bytes)).toBe(true);
    expect(answers.filter((answer) => answer.status === 404).map((answer) => answer.body)).toEqual(Array.from({ length: 17 }, () => ({ error: 'Link not found' })));
    const listed = await call(b, 'GET', '/links', { token });
    expect((listed.body as unknown as { downloads: number }[])[0].downloads).toBe(3);

    // Revoked on B: dead on A at once.
    const open = await call(a, 'POST', '/links', { token, json: { path: 'share/me.bin' } });
    expect((await call(a, 'GET', open.body.url as string)).status).toBe(200);
    expect((await call(b, 'DELETE', `/links/${String(open.body.id)}`, { token })).status).toBe(204);
    expect((await call(a, 'GET', open.body.url as string)).body).toEqual({ error: 'Link not found' });
  });

  it('puts a file deleted on one instance in the trash the other lists and restores from', async () => {
    const dan = await registerOn(a);
    const token = await loginOn(b, dan);
    expect((await call(a, 'PUT', '/files/keep/this.txt', { token, body: Buffer.from('kept'), headers: { 'Content-Type': 'text/plain' } })).status).toBe(201);
    expect((await call(a, 'DELETE', '/folders/keep', { token })).status).toBe(204);
    const trash = await call(b, 'GET', '/trash', { token });
    const [item] = trash.body as unknown as { id: number; path: string }[];
    expect(item.path).toBe('keep');
    expect((await call(b, 'POST', `/trash/${item.id}/restore`, { token, json: {} })).status).toBe(200);
    expect((await call(a, 'GET', '/files/keep/this.txt', { token })).bytes.toString()).toBe('kept');
  });

  it('refuses a token on the other instance on the very next request after logout, though it verified its signature before', async () => {
    const carol = await registerOn(a);
    const token = await loginOn(a, carol);
    expect((await call(b, 'GET', '/files', { token })).status).toBe(200);
    expect((await call(a, 'POST', '/logout', { token })).status).toBe(200);
    expect((await call(b, 'GET', '/files', { token })).status).toBe(403);
  });

  it('ends the other sessions on the other instance at a password change', async () => {
    const dave = await registerOn(a);
    const here = await loginOn(a, dave);
    const there = await loginOn(b, dave);
    const change = await call(a, 'PUT', `/user/${dave.username}/password`, { token: here, json: { currentPassword: dave.password, newPassword: 'a-brand-new-password' } });
    expect(change.status).toBe(204);
    expect((await call(b, 'GET', `/user/${dave.username}`, { token: there })).status).toBe(401);
    expect((await call(b, 'GET', `/user/${dave.username}`, { token: here })).status).toBe(200);
  });

  it('ends the sessions on the other instance when an admin blocks the user, and when the user is deleted', async () => {
    const adminToken = await loginOn(a, ADMIN);
    const erin = await registerOn(b);
    const erinToken = await loginOn(b, erin);
    const block = await call(a, 'PATCH', `/admin/users/${erin.username}`, { token: adminToken, json: { blockLogin: true, blockLoginReason: 'spam' } });
    expect(block.status).toBe(200);
    expect((await call(b, 'GET', '/files', { token: erinToken })).status).toBe(403);
    expect((await call(b, 'POST', '/login', { json: erin })).status).toBe(403);

    const frank = await registerOn(b);
    const frankToken = await loginOn(b, frank);
    expect((await call(a, 'DELETE', `/user/${frank.username}`, { token: adminToken })).status).toBe(200);
    expect((await call(b, 'GET', '/files', { token: frankToken })).status).toBe(403);
  });

  it('keeps the blobs in S3, not on either instance\'s disk', async () => {
    const gina = await registerOn(a);
    const token = await loginOn(b, gina);
    const bytes = randomBytes(50_000);
    expect((await call(b, 'PUT', '/files/only-in-s3.bin', { token, body: bytes })).status).toBe(201);

    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    client.destroy();
    expect(listed.Contents?.some((object) => object.Size === bytes.length)).toBe(true);

    for (const dir of dataDirs) {
      for (const path of filesUnder(dir)) {
        expect(readFileSync(path).includes(bytes.subarray(0, 64))).toBe(false);
        expect(statSync(path).size).toBeLessThan(bytes.length);
      }
    }
  });
  it('holds a WebDAV lock taken on one instance on the other: a PUT without its token answers 423, with it 204', async () => {
    const hana = await registerOn(a);
    const basic = { Authorization: `Basic ${Buffer.from(`${hana.username}:${hana.password}`).toString('base64')}` };
    expect((await call(a, 'PUT', '/dav/locked.txt', { headers: basic, body: Buffer.from('one') })).status).toBe(201);
    const lockinfo = '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>hana</D:owner></D:lockinfo>';
    const locked = await call(a, 'LOCK', '/dav/locked.txt', { headers: { ...basic, 'Content-Type': 'application/xml', Timeout: 'Second-600' }, body: Buffer.from(lockinfo) });
    expect(locked.status).toBe(200);
    const token = locked.headers.get('lock-token') ?? '';
    expect(token).toMatch(/^<urn:uuid:[0-9a-f-]+>$/);

    expect((await call(b, 'PUT', '/dav/locked.txt', { headers: basic, body: Buffer.from('two') })).status).toBe(423);
    expect((await call(b, 'DELETE', '/dav/locked.txt', { headers: basic })).status).toBe(423);
    expect((await call(b, 'PUT', '/dav/locked.txt', { headers: { ...basic, If: `(${token})` }, body: Buffer.from('two') })).status).toBe(204);
    expect((await call(b, 'UNLOCK', '/dav/locked.txt', { headers: { ...basic, 'Lock-Token': token } })).status).toBe(204);
    expect((await call(a, 'PUT', '/dav/locked.txt', { headers: basic, body: Buffer.from('three') })).status).toBe(204);
    expect((await call(b, 'GET', '/dav/locked.txt', { headers: basic })).bytes.toString()).toBe('three');
  });

  it('resumes a tus upload begun on one instance on the other, over S3, to exact bytes', async () => {
    const ida = await registerOn(a);
    const token = await loginOn(a, ida);
    const auth = { Authorization: `Bearer ${token}` };
    // Past one S3 part (8 MiB) and not a multiple of it: a part, a tail and a last part.
    const data = randomBytes(11 * 1024 * 1024 + 123);
    let url = '';
    await new Promise<void>((done, fail) => {
      const upload = new tus.Upload(data, {
        endpoint: `${a.url}/uploads/`,
        headers: auth,
        retryDelays: null,
        chunkSize: 3 * 1024 * 1024,
        metadata: { filename: 'moved/big.bin' },
        onChunkComplete: (_chunk, sent) => {
          // Two chunks in: six MiB, a tail object in S3 (short of a part).
          if (sent >= 6 * 1024 * 1024 && url === '') {
            url = upload.url ?? '';
            upload.abort().then(done, fail);
          }
        },
        onSuccess: () => fail(new Error('the upload was not cut')),
        onError: fail,
      });
      upload.start();
    });
    const id = url.split('/').pop() ?? '';
    const head = await call(b, 'HEAD', `/uploads/${id}`, { token, headers: { 'Tus-Resumable': '1.0.0' } });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(6 * 1024 * 1024));

    const offsets: string[] = [];
    await new Promise<void>((done, fail) => {
      const upload = new tus.Upload(data, {
        uploadUrl: `${b.url}/uploads/${id}`,
        headers: auth,
        retryDelays: null,
        chunkSize: 4 * 1024 * 1024,
        onBeforeRequest: (req) => {
          if (req.getMethod() === 'PATCH') offsets.push(req.getHeader('Upload-Offset') ?? '');
        },
        onSuccess: () => done(),
        onError: fail,
      });
      upload.start();
    });
    expect(offsets[0]).toBe(String(6 * 1024 * 1024));
    const got = await call(a, 'GET', '/files/moved/big.bin', { token });
    expect(got.status).toBe(200);
    expect(createHash('sha256').update(got.bytes).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    // B never saw the first bytes: it hashed what S3 holds, and the ETag is the bytes' sha256 all the same.
    expect(got.headers.get('etag')).toBe(`"${createHash('sha256').update(data).digest('hex')}"`);
  });

  it('never interleaves two PATCHes of one upload sent to both instances at once: one is taken, the other refused', async () => {
    const jo = await registerOn(b);
    const token = await loginOn(b, jo);
    const created = await call(a, 'POST', '/uploads/', {
      token,
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '2000000', 'Upload-Metadata': `filename ${Buffer.from('race.bin').toString('base64')}` },
    });
    expect(created.status).toBe(201);
    const path = new URL(created.headers.get('location') ?? '').pathname;
    const body = randomBytes(2_000_000);
    const patchOn = (server: ServerProcess) =>
      call(server, 'PATCH', path, { token, body, headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' } });
    const answers = await Promise.all([patchOn(a), patchOn(b)]);
    const taken = answers.filter((answer) => answer.status === 204);
    const refused = answers.filter((answer) => answer.status !== 204);
    expect(taken).toHaveLength(1);
    expect([409, 423]).toContain(refused[0].status);
    // What the taken PATCH reports is what the upload holds (all of it, unless the waiting one asked it to stop early).
    const offset = taken[0].headers.get('upload-offset');
    const head = await call(b, 'HEAD', path, { token, headers: { 'Tus-Resumable': '1.0.0' } });
    expect(head.headers.get('upload-offset')).toBe(offset);
    if (offset === String(body.length)) expect((await call(a, 'GET', '/files/race.bin', { token })).bytes.equals(body)).toBe(true);
  });
});
