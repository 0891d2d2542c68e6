import { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import http, { IncomingHttpHeaders } from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { BlobStore } from '../../src/storage/blob-store';
import { buildServer, startServer as startBuiltServer } from '../support/built-server';
import { startTestApp, TestApp } from '../support/test-app';
import { LoggedInUser, loginAdmin, newUser } from '../support/users';
import { binaryBody } from '../support/http';

// ---------------------------------------------------------------- helpers

interface SqliteConnection {
  prepare(sql: string): { get(): unknown };
  close(): void;
}
// better-sqlite3 ships no types; the test only reads one count from the server's database file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require('better-sqlite3') as new (path: string, options: { readonly: boolean }) => SqliteConnection;

/** supertest parser that keeps the body as bytes, whatever the Content-Type. */
function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function url(name: string): string {
  return `/files/${encodeURIComponent(name)}`;
}

/** Every file under `dir`, recursively, as paths relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((entry) => statSync(join(dir, entry)).isFile());
}

/** Every blob in the app's store (on local disk: the files under DATA_DIR/blobs, temp files aside). */
async function blobsOf(t: TestApp): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of t.app.get(BlobStore).list()) keys.push(key);
  if (t.config.storage.driver === 'local') {
    // The driver's listing and the disk agree: nothing else lies under DATA_DIR/blobs.
    expect(filesUnder(join(t.config.dataDir, 'blobs')).filter((path) => !path.startsWith('.tmp'))).toHaveLength(keys.length);
  }
  return keys.sort();
}

function tempFilesOf(dataDir: string): string[] {
  return filesUnder(join(dataDir, 'blobs', '.tmp'));
}

/** Polls until `check` holds; fails the test with `what` when it never does. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

function portOf(t: TestApp): number {
  return (t.app.getHttpServer().address() as AddressInfo).port;
}

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A request written by hand: `headers` as given, then `chunks` one by one. Resolves with the
 * answer as soon as it arrives, even if the server answers before the body is sent.
 */
function rawRequest(port: number, method: string, path: string, headers: Record<string, string | number>, chunks: Buffer[] = [], end = true): Promise<RawAnswer> {
  return new Promise((resolvePromise, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => {
        resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() });
        req.destroy();
      });
    });
    req.on('error', (error) => reject(error));
    req.flushHeaders();
    for (const chunk of chunks) req.write(chunk);
    if (end) req.end();
  });
}

async function setQuota(t: TestApp, user: LoggedInUser, storageQuota: number | null): Promise<void> {
  const admin = await loginAdmin(t.http);
  await t.http.patch(`/admin/users/${user.username}`).set(admin.auth).send({ storageQuota }).expect(200);
}

function put(t: TestApp, user: LoggedInUser, name: string, body: Buffer | string, type = 'application/octet-stream'): request.Test {
  return t.http.put(url(name)).set(user.auth).set('Content-Type', type).send(body);
}

function download(t: TestApp, user: LoggedInUser, name: string, query = ''): request.Test {
  return t.http.get(`${url(name)}${query}`).set(user.auth).buffer(true).parse(binaryBody);
}

// ---------------------------------------------------------------- the main app

describe('Files module (CONTRACT §3 Files, S0, S4)', () => {
  let t: TestApp;
  let alice: LoggedInUser;
  let bob: LoggedInUser;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await newUser(t.http, 'alice');
    bob = await newUser(t.http, 'bob');
  });
  afterAll(() => t.close());

  describe('PUT /files/{filename}', () => {
    it('stores the body and answers 201 with Location and {id, name, version, size, contentType, sha256}', async () => {
      const res = await put(t, alice, 'hello.txt', 'hello world', 'text/plain; charset=utf-8').expect(201);
      expect(res.headers.location).toBe('/files/hello.txt');
      expect(res.body).toEqual({
        id: expect.any(Number),
        name: 'hello.txt',
        version: 1,
        size: 11,
        contentType: 'text/plain; charset=utf-8',
        sha256: sha256('hello world'),
      });
    });

    it('adds a new version when the name exists; nothing is overwritten', async () => {
      const first = await put(t, alice, 'notes.md', 'one').expect(201);
      const second = await put(t, alice, 'notes.md', 'two!').expect(201);
      expect(second.body.version).toBe(2);
      expect(second.body.id).toBe(first.body.id);
      expect((await download(t, alice, 'notes.md', '?version=1').expect(200)).body.toString()).toBe('one');
      expect((await download(t, alice, 'notes.md').expect(200)).body.toString()).toBe('two!');
    });

    it('stores application/octet-stream when no Content-Type is sent', async () => {
      const res = await rawRequest(portOf(t), 'PUT', '/files/untyped', { ...alice.auth, 'Content-Length': 3 }, [Buffer.from('abc')]);
      expect(res.status).toBe(201);
      expect(JSON.parse(res.body).contentType).toBe('application/octet-stream');
      const get = await download(t, alice, 'untyped').expect(200);
      expect(get.headers['content-type']).toBe('application/octet-stream');
    });

    it('round-trips a 3 MiB binary file byte for byte', async () => {
      const data = randomBytes(3 * 1024 * 1024);
      const res = await put(t, alice, 'big.bin', data).expect(201);
      expect(res.body.size).toBe(data.length);
      expect(res.body.sha256).toBe(sha256(data));
      const get = await download(t, alice, 'big.bin').expect(200);
      expect(get.headers['content-length']).toBe(String(data.length));
      expect(Buffer.compare(get.body as Buffer, data)).toBe(0);
    });

    it('stores an empty file', async () => {
      const res = await put(t, alice, 'empty.txt', Buffer.alloc(0)).expect(201);
      expect(res.body).toMatchObject({ size: 0, sha256: sha256('') });
      const get = await download(t, alice, 'empty.txt').expect(200);
      expect(get.headers['content-length']).toBe('0');
      expect((get.body as Buffer).length).toBe(0);
    });

    it('streams a chunked body without Content-Length', async () => {
      const chunks = [randomBytes(70_000), randomBytes(50_000)];
      const res = await rawRequest(portOf(t), 'PUT', '/files/chunked.bin', { ...alice.auth, 'Transfer-Encoding': 'chunked' }, chunks);
      expect(res.status).toBe(201);
      expect(JSON.parse(res.body)).toMatchObject({ size: 120_000, sha256: sha256(Buffer.concat(chunks)) });
    });

    it('accepts names with spaces and non-ASCII letters', async () => {
      for (const name of ['my notes 2024.txt', 'Ünïcødé 文件 ñ.pdf', "it's (1) + [2] & #3.txt"]) {
        const res = await put(t, alice, name, name).expect(201);
        expect(res.body.name).toBe(name);
        expect(res.headers.location).toBe(url(name));
        expect((await download(t, alice, name).expect(200)).body.toString()).toBe(name);
      }
      const list = await t.http.get('/files').set(alice.auth).expect(200);
      expect(list.body).toEqual(expect.arrayContaining(['my notes 2024.txt', 'Ünïcødé 文件 ñ.pdf']));
    });

    it('accepts a 255-byte name and refuses a 256-byte one', async () => {
      await put(t, alice, 'é'.repeat(127) + 'x', 'ok').expect(201);
      const res = await put(t, alice, 'é'.repeat(128), 'no').expect(400);
      expect(typeof res.body.error).toBe('string');
    });

    it.each([
      ['..', '/files/..'],
      ['. (dot)', '/files/.'],
      ['encoded ..', '/files/%2E%2E'],
      ['an encoded slash', '/files/a%2Fb'],
      ['an encoded traversal', '/files/..%2F..%2Fetc%2Fpasswd'],
      ['a backslash', '/files/a%5Cb'],
      ['NUL', '/files/a%00b'],
      ['a control character', '/files/a%01b'],
      ['a newline', '/files/a%0Ab'],
      ['invalid UTF-8', '/files/a%FFb'],
    ])('refuses a name with %s: 400 {error}', async (_what, path) => {
      const res = await t.http.put(path).set(alice.auth).send('x').expect(400);
      expect(typeof res.body.error).toBe('string');
      const list = await t.http.get('/files').set(alice.auth).expect(200);
      expect(list.body).not.toContain('..');
      expect(list.body).not.toContain('a/b');
    });

    it('answers 403 without a token, with a bad token, and stores nothing', async () => {
      const before = (await blobsOf(t)).length;
      expect((await t.http.put('/files/x.txt').send('x').expect(403)).body.error).toEqual(expect.any(String));
      await t.http.put('/files/x.txt').set('X-Session', 'not-a-token').send('x').expect(403);
      await t.http.put('/files/x.txt').set('Authorization', `Bearer ${alice.token}x`).send('x').expect(403);
      expect((await blobsOf(t)).length).toBe(before);
    });

    it('stores a JSON body as raw bytes, never parsed (even malformed or over 1 MiB)', async () => {
      const json = `{"a": 1,   "b": [${'1,'.repeat(600_000)}2]}`;
      const res = await put(t, alice, 'data.json', json, 'application/json').expect(201);
      expect(res.body.size).toBe(Buffer.byteLength(json));
      expect((await download(t, alice, 'data.json').expect(200)).body.toString()).toBe(json);
      await put(t, alice, 'broken.json', '{"not json', 'application/json').expect(201);
    });

    it('accepts the session cookie the login sets (S4 clients, the web page)', async () => {
      await t.http.put('/files/cookie.txt').set('Cookie', `session=${alice.token}`).send('via cookie').expect(201);
    });

    it('answers 405 with Allow for a method the path does not serve', async () => {
      const res = await t.http.patch('/files/hello.txt').set(alice.auth).expect(405);
      expect(res.headers.allow).toEqual(expect.stringContaining('PUT'));
      expect(res.body.error).toBe('Method not allowed for this endpoint');
    });

    it('accepts the S0 X-Session header and the token header', async () => {
      await t.http.put('/files/s0.txt').set('X-Session', alice.token).send('s0').expect(201);
      await t.http.get('/files/s0.txt').set('token', alice.token).expect(200);
    });

    it('makes every one of many concurrent uploads of one name a version, none lost', async () => {
      const bodies = Array.from({ length: 8 }, (_, i) => `concurrent body ${i}`);
      const results = await Promise.all(bodies.map((body) => put(t, bob, 'race.txt', body)));
      expect(results.map((r) => r.status)).toEqual(bodies.map(() => 201));
      expect(results.map((r) => r.body.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const versions = await t.http.get('/files/race.txt/versions').set(bob.auth).expect(200);
      expect(versions.body).toHaveLength(8);
      const shas = new Set(versions.body.map((v: { sha256: string }) => v.sha256));
      expect(shas).toEqual(new Set(bodies.map((b) => sha256(b))));
    });

    it('leaves no listed file and no blob when the client cuts the connection mid-upload', async () => {
      const carol = await newUser(t.http, 'carol');
      const blobsBefore = await blobsOf(t);
      await new Promise<void>((done) => {
        const req = http.request({ host: '127.0.0.1', port: portOf(t), method: 'PUT', path: '/files/cut.bin', headers: { ...carol.auth, 'Content-Length': 4 * 1024 * 1024 } });
        req.on('error', () => done());
        req.write(randomBytes(2 * 1024 * 1024), () => setTimeout(() => req.destroy(), 100));
        req.on('close', () => done());
      });
      await eventually('the partial upload is cleaned up', () => tempFilesOf(t.config.dataDir).length === 0);
      expect((await t.http.get('/files').set(carol.auth).expect(200)).body).toEqual([]);
      await t.http.get('/files/cut.bin').set(carol.auth).expect(404);
      expect(await blobsOf(t)).toEqual(blobsBefore);
    });

    it('releases the quota a cut upload held', async () => {
      const dan = await newUser(t.http, 'dan');
      const quota = 4 * 1024 * 1024;
      await setQuota(t, dan, quota);
      await new Promise<void>((done) => {
        const req = http.request({ host: '127.0.0.1', port: portOf(t), method: 'PUT', path: '/files/cut.bin', headers: { ...dan.auth, 'Content-Length': quota } });
        req.on('error', () => done());
        req.write(randomBytes(1024 * 1024), () => setTimeout(() => req.destroy(), 100));
        req.on('close', () => done());
      });
      // While the cut upload's reservation stood, a full-quota upload would be 507.
      const full = randomBytes(quota);
      await eventually('the whole quota is available again', async () => (await put(t, dan, 'full.bin', full)).status === 201);
      expect((await t.http.get('/files').set(dan.auth).expect(200)).body).toEqual(['full.bin']);
    });
  });

  describe('GET /files/{filename}', () => {
    const content = Buffer.from('0123456789abcdefghij');
    beforeAll(async () => {
      await put(t, alice, 'range.txt', content, 'text/plain').expect(201);
    });

    it('serves the newest version with Content-Length, Content-Type, ETag, Last-Modified, Accept-Ranges', async () => {
      const res = await download(t, alice, 'range.txt').expect(200);
      expect((res.body as Buffer).equals(content)).toBe(true);
      expect(res.headers['content-length']).toBe('20');
      expect(res.headers['content-type']).toBe('text/plain');
      expect(res.headers.etag).toBe(`"${sha256(content)}"`);
      expect(new Date(res.headers['last-modified']).getTime()).not.toBeNaN();
      expect(res.headers['accept-ranges']).toBe('bytes');
    });

    it('serves user files sandboxed: nosniff and CSP sandbox', async () => {
      await put(t, alice, 'evil.html', '<script>alert(1)</script>', 'text/html').expect(201);
      const res = await download(t, alice, 'evil.html').expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    });

    it('answers a Range with 206 and Content-Range', async () => {
      const res = await download(t, alice, 'range.txt').set('Range', 'bytes=2-5').expect(206);
      expect(res.body.toString()).toBe('2345');
      expect(res.headers['content-range']).toBe('bytes 2-5/20');
      expect(res.headers['content-length']).toBe('4');
    });

    it('answers open-ended and suffix ranges', async () => {
      expect((await download(t, alice, 'range.txt').set('Range', 'bytes=15-').expect(206)).body.toString()).toBe('fghij');
      expect((await download(t, alice, 'range.txt').set('Range', 'bytes=-3').expect(206)).body.toString()).toBe('hij');
      expect((await download(t, alice, 'range.txt').set('Range', 'bytes=18-100').expect(206)).headers['content-range']).toBe('bytes 18-19/20');
    });

    it('answers an unsatisfiable range with 416 and Content-Range: bytes */size', async () => {
      const res = await t.http.get('/files/range.txt').set(alice.auth).set('Range', 'bytes=20-30').expect(416);
      expect(res.headers['content-range']).toBe('bytes */20');
      expect(typeof res.body.error).toBe('string');
    });

    it('ignores a malformed Range and serves the whole file', async () => {
      const res = await download(t, alice, 'range.txt').set('Range', 'lines=1-2').expect(200);
      expect(res.body.toString()).toBe(content.toString());
    });

    it('answers If-None-Match with the ETag with 304 and no body', async () => {
      const etag = (await download(t, alice, 'range.txt').expect(200)).headers.etag;
      const res = await t.http.get('/files/range.txt').set(alice.auth).set('If-None-Match', etag).expect(304);
      expect(res.headers.etag).toBe(etag);
      expect(res.text ?? '').toBe('');
      await download(t, alice, 'range.txt').set('If-None-Match', '"something-else"').expect(200);
    });

    it('honours If-Range: the range when the ETag matches, the whole file when it does not', async () => {
      const etag = `"${sha256(content)}"`;
      expect((await download(t, alice, 'range.txt').set('Range', 'bytes=0-1').set('If-Range', etag).expect(206)).body.toString()).toBe('01');
      const stale = await download(t, alice, 'range.txt').set('Range', 'bytes=0-1').set('If-Range', '"stale"').expect(200);
      expect(stale.body.toString()).toBe(content.toString());
    });

    it('reads an older version with ?version=N; an unknown version is 404, a bad one 400', async () => {
      await put(t, alice, 'versioned.txt', 'v1').expect(201);
      await put(t, alice, 'versioned.txt', 'v2').expect(201);
      const old = await download(t, alice, 'versioned.txt', '?version=1').expect(200);
      expect(old.body.toString()).toBe('v1');
      expect(old.headers.etag).toBe(`"${sha256('v1')}"`);
      await t.http.get('/files/versioned.txt?version=9').set(alice.auth).expect(404);
      expect((await t.http.get('/files/versioned.txt?version=abc').set(alice.auth).expect(400)).body.error).toEqual(expect.any(String));
      await t.http.get('/files/versioned.txt?version=0').set(alice.auth).expect(400);
    });

    it("answers 404 for an unknown name and for another user's file", async () => {
      expect((await t.http.get('/files/nope.txt').set(alice.auth).expect(404)).body.error).toEqual(expect.any(String));
      const res = await t.http.get('/files/range.txt').set(bob.auth).expect(404);
      expect(JSON.stringify(res.body)).not.toContain('0123');
    });

    it('survives a client that goes away mid-download, and keeps serving', async () => {
      await put(t, alice, 'abort.bin', randomBytes(8 * 1024 * 1024)).expect(201);
      await new Promise<void>((done) => {
        const req = http.get({ host: '127.0.0.1', port: portOf(t), path: '/files/abort.bin', headers: alice.auth }, (res) => {
          expect(res.statusCode).toBe(200);
          res.once('data', () => req.destroy());
        });
        req.on('close', () => done());
        req.on('error', () => undefined);
      });
      const again = await download(t, alice, 'abort.bin').expect(200);
      expect((again.body as Buffer).length).toBe(8 * 1024 * 1024);
    });

    it('answers 403 without a session', async () => {
      await t.http.get('/files/range.txt').expect(403);
      await t.http.get('/files/range.txt').set('X-Session', 'garbage').expect(403);
    });
  });

  describe('HEAD /files/{filename}', () => {
    it("gives the GET's headers and no body", async () => {
      const data = randomBytes(1000);
      await put(t, alice, 'head.bin', data).expect(201);
      const res = await t.http.head('/files/head.bin').set(alice.auth).expect(200);
      expect(res.headers['content-length']).toBe('1000');
      expect(res.headers.etag).toBe(`"${sha256(data)}"`);
      expect(res.headers['accept-ranges']).toBe('bytes');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.body).toEqual({});
    });

    it('answers 404 and 403 like GET', async () => {
      await t.http.head('/files/nothing-here').set(alice.auth).expect(404);
      await t.http.head('/files/head.bin').set(bob.auth).expect(404);
      await t.http.head('/files/head.bin').expect(403);
    });
  });

  describe('GET /files/{filename}/id', () => {
    it("gives the id of the caller's own file, the one POST /share takes", async () => {
      const stored = await put(t, alice, 'id-of.txt', 'hello', 'text/plain').expect(201);
      const res = await t.http.get('/files/id-of.txt/id').set(alice.auth).expect(200);
      expect(res.body).toEqual({ id: stored.body.id, name: 'id-of.txt' });
      const share = { file_id: res.body.id, user_destination_id: bob.id };
      await t.http.post('/share').set(alice.auth).send(share).expect(200);
      // Only the owner's own names resolve, even for a file shared with the caller.
      await t.http.get('/files/id-of.txt/id').set(bob.auth).expect(404);
      await t.http.delete('/share').set(alice.auth).send(share).expect(204);
    });

    it('answers 404 for a missing file, 400 for a bad name, 403 without a session', async () => {
      await t.http.get('/files/absent.txt/id').set(alice.auth).expect(404);
      await t.http.get('/files/..%2F/id').set(alice.auth).expect(400);
      await t.http.get('/files/id-of.txt/id').expect(403);
    });
  });

  describe('GET /files/{filename}/versions', () => {
    it('lists versions newest first with {version, size, contentType, sha256, createdAt}', async () => {
      await put(t, alice, 'hist.txt', 'a', 'text/plain').expect(201);
      await put(t, alice, 'hist.txt', 'bb', 'text/markdown').expect(201);
      const res = await t.http.get('/files/hist.txt/versions').set(alice.auth).expect(200);
      expect(res.body).toEqual([
        { version: 2, size: 2, contentType: 'text/markdown', sha256: sha256('bb'), createdAt: expect.any(String) },
        { version: 1, size: 1, contentType: 'text/plain', sha256: sha256('a'), createdAt: expect.any(String) },
      ]);
    });

    it("answers 404 for an unknown file and another user's file, 403 without a session", async () => {
      await t.http.get('/files/unknown/versions').set(alice.auth).expect(404);
      await t.http.get('/files/hist.txt/versions').set(bob.auth).expect(404);
      await t.http.get('/files/hist.txt/versions').expect(403);
    });
  });

  describe('POST /files/{path}/versions/{n}/restore (CONTRACT §9)', () => {
    it("makes version n's bytes a new newest version, at any depth, and keeps the history", async () => {
      await t.http.put('/files/deep/er/restore.txt').set(alice.auth).set('Content-Type', 'text/plain').send('first').expect(201);
      await t.http.put('/files/deep/er/restore.txt').set(alice.auth).set('Content-Type', 'text/markdown').send('second').expect(201);
      const res = await t.http.post('/files/deep/er/restore.txt/versions/1/restore').set(alice.auth).expect(201);
      expect(res.body).toMatchObject({ name: 'restore.txt', version: 3, size: 5, contentType: 'text/plain', sha256: sha256('first') });
      expect(res.headers.location).toBe('/files/deep/er/restore.txt');
      const read = () => t.http.get('/files/deep/er/restore.txt').set(alice.auth).buffer(true).parse(binaryBody).expect(200);
      expect((await read()).body.toString()).toBe('first');
      const versions = (await t.http.get('/files/deep/er/restore.txt/versions').set(alice.auth).expect(200)).body as { version: number; sha256: string }[];
      expect(versions.map((v) => [v.version, v.sha256])).toEqual([
        [3, sha256('first')],
        [2, sha256('second')],
        [1, sha256('first')],
      ]);
      // Version 1 is still there on its own: deleting it leaves the restored copy readable.
      await t.http.delete('/files/deep/er/restore.txt').query({ version: 1 }).set(alice.auth).expect(204);
      expect((await read()).body.toString()).toBe('first');
    });

    it("answers 404 for an unknown version, a non-number, another user's file; 403 without a session; 507 over the quota", async () => {
      await put(t, bob, 'mine.txt', 'bob').expect(201);
      for (const version of ['9', '0', 'x', '-1']) {
        const res = await t.http.post(`/files/mine.txt/versions/${version}/restore`).set(bob.auth).expect(404);
        expect(typeof res.body.error).toBe('string');
      }
      await t.http.post('/files/mine.txt/versions/1/restore').set(alice.auth).expect(404);
      await t.http.post('/files/mine.txt/versions/1/restore').expect(403);
      const carol = await newUser(t.http, 'restq');
      await put(t, carol, 'big.bin', Buffer.alloc(600)).expect(201);
      await setQuota(t, carol, 1000);
      await t.http.post('/files/big.bin/versions/1/restore').set(carol.auth).expect(507);
      expect((await t.http.get('/files/big.bin/versions').set(carol.auth).expect(200)).body).toHaveLength(1);
    });
  });

  describe('DELETE /files/{filename}', () => {
    it('removes the file with all its versions into the trash (§9); emptying the trash removes their blobs', async () => {
      const dave = await newUser(t.http, 'dave');
      await put(t, dave, 'gone.txt', 'one').expect(201);
      await put(t, dave, 'gone.txt', 'two').expect(201);
      const before = (await blobsOf(t)).length;
      await t.http.delete('/files/gone.txt').set(dave.auth).expect(204);
      expect((await blobsOf(t)).length).toBe(before);
      await t.http.get('/files/gone.txt').set(dave.auth).expect(404);
      expect((await t.http.get('/files').set(dave.auth).expect(200)).body).toEqual([]);
      await t.http.delete('/files/gone.txt').set(dave.auth).expect(404);
      await t.http.delete('/trash').set(dave.auth).expect(204);
      expect((await blobsOf(t)).length).toBe(before - 2);
    });

    it('removes one version with ?version=N; the last version takes the file with it', async () => {
      const erin = await newUser(t.http, 'erin');
      await put(t, erin, 'v.txt', 'one').expect(201);
      await put(t, erin, 'v.txt', 'two').expect(201);
      const before = (await blobsOf(t)).length;
      await t.http.delete('/files/v.txt?version=2').set(erin.auth).expect(204);
      expect((await blobsOf(t)).length).toBe(before - 1);
      expect((await download(t, erin, 'v.txt').expect(200)).body.toString()).toBe('one');
      await t.http.delete('/files/v.txt?version=2').set(erin.auth).expect(404);
      await t.http.delete('/files/v.txt?version=1').set(erin.auth).expect(204);
      expect((await t.http.get('/files').set(erin.auth).expect(200)).body).toEqual([]);
      // The next upload of the name starts a new history.
      expect((await put(t, erin, 'v.txt', 'again').expect(201)).body.version).toBe(1);
    });

    it("answers 404 for another user's file and leaves it alone; 403 without a session", async () => {
      await put(t, alice, 'keep.txt', 'mine').expect(201);
      await t.http.delete('/files/keep.txt').set(bob.auth).expect(404);
      await t.http.delete('/files/keep.txt').expect(403);
      expect((await download(t, alice, 'keep.txt').expect(200)).body.toString()).toBe('mine');
    });

    it('refuses traversal names with 400', async () => {
      await t.http.delete('/files/..').set(alice.auth).expect(400);
      await t.http.delete('/files/..%2Fkeep.txt').set(alice.auth).expect(400);
    });
  });

  describe('GET /files', () => {
    it("lists the user's own names, sorted, and only theirs", async () => {
      const frank = await newUser(t.http, 'frank');
      for (const name of ['b.txt', 'a.txt', 'C.txt', 'a.txt']) await put(t, frank, name, name).expect(201);
      const res = await t.http.get('/files').set(frank.auth).expect(200);
      expect(res.body).toEqual(['C.txt', 'a.txt', 'b.txt']);
      const other = await t.http.get('/files').set(bob.auth).expect(200);
      expect(other.body).not.toContain('b.txt');
    });

    it('answers the S4 shape with include=shared, and 400 for another include', async () => {
      const res = await t.http.get('/files?include=shared').set(bob.auth).expect(200);
      expect(res.body).toEqual({ your_files: expect.arrayContaining(['race.txt']), shared_files: [] });
      await t.http.get('/files?include=everything').set(bob.auth).expect(400);
    });

    it('answers 403 without a session', async () => {
      const res = await t.http.get('/files').expect(403);
      expect(typeof res.body.error).toBe('string');
    });
  });

  describe('POST /upload', () => {
    it('stores each part named file, streamed, and answers 201 {message, files}', async () => {
      const gina = await newUser(t.http, 'gina');
      const data = randomBytes(200_000);
      const res = await t.http
        .post('/upload')
        .set(gina.auth)
        .attach('file', data, { filename: 'photo.jpg', contentType: 'image/jpeg' })
        .attach('file', Buffer.from('second'), { filename: 'ü notes.txt', contentType: 'text/plain' })
        .field('comment', 'ignored')
        .expect(201);
      expect(res.body).toEqual({
        message: 'Upload Success!',
        files: [
          { id: expect.any(Number), name: 'photo.jpg', version: 1, size: 200_000, contentType: 'image/jpeg' },
          { id: expect.any(Number), name: 'ü notes.txt', version: 1, size: 6, contentType: 'text/plain' },
        ],
      });
      const get = await download(t, gina, 'photo.jpg').expect(200);
      expect(Buffer.compare(get.body as Buffer, data)).toBe(0);
      expect(get.headers.etag).toBe(`"${sha256(data)}"`);
      const again = await t.http.post('/upload').set(gina.auth).attach('file', Buffer.from('v2'), 'photo.jpg').expect(201);
      expect(again.body.files[0]).toMatchObject({ name: 'photo.jpg', version: 2 });
    });

    it('answers 400 when there is no part named file', async () => {
      const res = await t.http.post('/upload').set(alice.auth).attach('document', Buffer.from('x'), 'x.txt').field('file', 'not a file').expect(400);
      expect(typeof res.body.error).toBe('string');
    });

    it('answers 400 for a body that is not multipart', async () => {
      await t.http.post('/upload').set(alice.auth).send({ file: 'x' }).expect(400);
      await t.http.post('/upload').set(alice.auth).set('Content-Type', 'application/octet-stream').send(Buffer.from('abc')).expect(400);
    });

    it('answers 400 for a part whose file name is not allowed, storing nothing', async () => {
      const before = (await blobsOf(t)).length;
      await t.http.post('/upload').set(alice.auth).attach('file', Buffer.from('x'), '..').expect(400);
      expect((await blobsOf(t)).length).toBe(before);
    });

    it('answers 400 for a truncated multipart body and keeps no blob of it', async () => {
      const before = await blobsOf(t);
      const boundary = 'xyzBOUNDARY';
      const body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="half.bin"\r\nContent-Type: application/octet-stream\r\n\r\nsome bytes but no closing boundary`);
      const res = await rawRequest(portOf(t), 'POST', '/upload', { ...alice.auth, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': body.length }, [body]);
      expect(res.status).toBe(400);
      expect(await blobsOf(t)).toEqual(before);
      expect((await t.http.get('/files').set(alice.auth).expect(200)).body).not.toContain('half.bin');
    });

    it('answers 403 without a session', async () => {
      await t.http.post('/upload').attach('file', Buffer.from('x'), 'x.txt').expect(403);
    });
  });

  describe('quota (PATCH /admin/users/{u} storageQuota)', () => {
    it('answers 507 {error} before storing a byte when a declared size would pass the quota', async () => {
      const hank = await newUser(t.http, 'hank');
      await setQuota(t, hank, 1000);
      await put(t, hank, 'a.bin', randomBytes(600)).expect(201);
      const before = (await blobsOf(t)).length;
      const res = await put(t, hank, 'b.bin', randomBytes(600)).expect(507);
      expect(typeof res.body.error).toBe('string');
      expect((await blobsOf(t)).length).toBe(before);
      expect((await t.http.get('/files').set(hank.auth).expect(200)).body).toEqual(['a.bin']);
      // Versions count too: a new version of the same name is refused the same way.
      await put(t, hank, 'a.bin', randomBytes(600)).expect(507);
      await put(t, hank, 'a.bin', randomBytes(400)).expect(201);
    });

    it('answers 507 when a declared size alone passes the quota, before the body is read', async () => {
      const ivan = await newUser(t.http, 'ivan');
      await setQuota(t, ivan, 1000);
      // Only the headers are sent: the answer cannot have waited for the body.
      const res = await rawRequest(portOf(t), 'PUT', '/files/huge.bin', { ...ivan.auth, 'Content-Length': 10_000_000 }, [], false);
      expect(res.status).toBe(507);
    });

    it('answers 507 when a chunked upload passes the quota mid-stream, and keeps nothing', async () => {
      const jane = await newUser(t.http, 'jane');
      await setQuota(t, jane, 50_000);
      const before = (await blobsOf(t)).length;
      const res = await rawRequest(portOf(t), 'PUT', '/files/stream.bin', { ...jane.auth, 'Transfer-Encoding': 'chunked' }, [randomBytes(40_000), randomBytes(40_000)]);
      expect(res.status).toBe(507);
      expect((await blobsOf(t)).length).toBe(before);
      expect((await t.http.get('/files').set(jane.auth).expect(200)).body).toEqual([]);
    });

    it('answers 507 for a multipart upload over the quota', async () => {
      const kim = await newUser(t.http, 'kim');
      await setQuota(t, kim, 10_000);
      await t.http.post('/upload').set(kim.auth).attach('file', randomBytes(20_000), 'big.bin').expect(507);
      expect((await t.http.get('/files').set(kim.auth).expect(200)).body).toEqual([]);
    });

    it('counts uploads in progress, so that concurrent uploads cannot overrun it together', async () => {
      const lena = await newUser(t.http, 'lena');
      await setQuota(t, lena, 1000);
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => put(t, lena, `c${i}.bin`, randomBytes(400))));
      const created = results.filter((r) => r.status === 201).length;
      expect(results.every((r) => r.status === 201 || r.status === 507)).toBe(true);
      expect(created).toBeGreaterThanOrEqual(1);
      expect(created).toBeLessThanOrEqual(2);
      const admin = await loginAdmin(t.http);
      const page = await t.http.get(`/admin/users?q=${lena.username}`).set(admin.auth).expect(200);
      expect(page.body.items[0].bytesStored).toBeLessThanOrEqual(1000);
    });

    it('lifts with storageQuota null', async () => {
      const mia = await newUser(t.http, 'mia');
      await setQuota(t, mia, 10);
      await put(t, mia, 'x.bin', randomBytes(100)).expect(507);
      await setQuota(t, mia, null);
      await put(t, mia, 'x.bin', randomBytes(100)).expect(201);
    });
  });

  describe('admin listing and user deletion', () => {
    it('shows fileCount and bytesStored (every version counts) in GET /admin/users', async () => {
      const nina = await newUser(t.http, 'nina');
      await put(t, nina, 'one.bin', randomBytes(100)).expect(201);
      await put(t, nina, 'one.bin', randomBytes(50)).expect(201);
      await put(t, nina, 'two.bin', randomBytes(7)).expect(201);
      const admin = await loginAdmin(t.http);
      const page = await t.http.get(`/admin/users?q=${nina.username}`).set(admin.auth).expect(200);
      expect(page.body.items).toHaveLength(1);
      expect(page.body.items[0]).toMatchObject({ username: nina.username, fileCount: 2, bytesStored: 157 });
      const empty = await newUser(t.http, 'empty');
      const emptyPage = await t.http.get(`/admin/users?q=${empty.username}`).set(admin.auth).expect(200);
      expect(emptyPage.body.items[0]).toMatchObject({ fileCount: 0, bytesStored: 0 });
    });

    it("deletes the user's files, versions and blobs with the user", async () => {
      const omar = await newUser(t.http, 'omar');
      await put(t, omar, 'a.bin', randomBytes(10)).expect(201);
      await put(t, omar, 'a.bin', randomBytes(10)).expect(201);
      await put(t, omar, 'b.bin', randomBytes(10)).expect(201);
      const before = (await blobsOf(t)).length;
      await t.http.delete(`/user/${omar.username}`).set(omar.auth).expect(200);
      expect((await blobsOf(t)).length).toBe(before - 3);
      // The name is free again, and the new owner sees none of the old files.
      await t.http.post('/register').send({ username: omar.username, password: omar.password }).expect(204);
      const again = await t.http.post('/login').send({ username: omar.username, password: omar.password }).expect(200);
      expect((await t.http.get('/files').set('X-Session', again.body.token).expect(200)).body).toEqual([]);
    });
  });
});

// ---------------------------------------------------------------- MAX_UPLOAD_BYTES

describe('MAX_UPLOAD_BYTES', () => {
  const LIMIT = 64 * 1024;
  let t: TestApp;
  let user: LoggedInUser;

  beforeAll(async () => {
    t = await startTestApp({ MAX_UPLOAD_BYTES: String(LIMIT) });
    user = await newUser(t.http);
  });
  afterAll(() => t.close());

  it('accepts an upload of exactly the limit', async () => {
    await put(t, user, 'exact.bin', randomBytes(LIMIT)).expect(201);
  });

  it('answers 413 {error} for a body over the limit and keeps nothing', async () => {
    const before = (await blobsOf(t)).length;
    const res = await put(t, user, 'over.bin', randomBytes(LIMIT + 1)).expect(413);
    expect(typeof res.body.error).toBe('string');
    expect((await blobsOf(t)).length).toBe(before);
    await t.http.get('/files/over.bin').set(user.auth).expect(404);
  });

  it('answers 413 on a declared Content-Length over the limit before reading the body', async () => {
    const res = await rawRequest(portOf(t), 'PUT', '/files/declared.bin', { ...user.auth, 'Content-Length': 5 * 1024 ** 3 }, [], false);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error).toEqual(expect.any(String));
  });

  it('answers 413 when a chunked body passes the limit mid-stream, and keeps nothing', async () => {
    const before = (await blobsOf(t)).length;
    const res = await rawRequest(portOf(t), 'PUT', '/files/chunked-over.bin', { ...user.auth, 'Transfer-Encoding': 'chunked' }, [randomBytes(LIMIT), randomBytes(1000)]);
    expect(res.status).toBe(413);
    expect((await blobsOf(t)).length).toBe(before);
    expect(tempFilesOf(t.config.dataDir)).toEqual([]);
  });

  it('answers 413 for a multipart part over the limit, and keeps nothing', async () => {
    const before = (await blobsOf(t)).length;
    await t.http.post('/upload').set(user.auth).attach('file', randomBytes(LIMIT + 10), 'big.bin').expect(413);
    expect((await blobsOf(t)).length).toBe(before);
    expect((await t.http.get('/files').set(user.auth).expect(200)).body).toEqual(['exact.bin']);
  });

  it('keeps the connection usable for the next request after a small rejected body', async () => {
    const agent = request.agent(t.app.getHttpServer());
    await agent.put('/files/over2.bin').set(user.auth).send(randomBytes(LIMIT + 100)).expect(413);
    await agent.get('/files').set(user.auth).expect(200);
  });
});

// ---------------------------------------------------------------- a server killed mid-upload

/** The built server (what `npm run build` makes) in a child process on the test's DATA_DIR and port. */
async function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  const server = await startBuiltServer(await buildServer(), {
    DATA_DIR: dataDir,
    // A fixed port: the restarted server recognises the uploads its previous run left behind.
    PORT: String(port),
    DB_TYPE: 'sqlite',
    STORAGE_DRIVER: 'local',
    JWT_SECRET: 'kill-test-secret-0123456789',
  });
  return server.child;
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePromise(port));
    });
  });
}

describe('a server killed mid-upload (kill -9)', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cloudstash-kill-'));
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves no listed file and no orphan blob after the restart', async () => {
    const port = await freePort();
    child = await startServer(dataDir, port);
    const api = request(`http://127.0.0.1:${port}`);
    await api.post('/register').send({ username: 'killtest', password: 'kill-test-password' }).expect(204);
    const token = (await api.post('/login').send({ username: 'killtest', password: 'kill-test-password' }).expect(200)).body.token as string;
    await api.put('/files/kept.txt').set('X-Session', token).send('committed before the crash').expect(201);

    const upload = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/files/doomed.bin', headers: { 'X-Session': token, 'Content-Length': 64 * 1024 * 1024 } });
    upload.on('error', () => undefined);
    upload.write(randomBytes(4 * 1024 * 1024));
    const inFlight = (): number => {
      const conn = new Database(join(dataDir, 'cloudstash.sqlite'), { readonly: true });
      try {
        return (conn.prepare('SELECT COUNT(*) AS n FROM upload_reservations').get() as { n: number }).n;
      } finally {
        conn.close();
      }
    };
    await eventually('the upload is streaming to disk', () => inFlight() === 1 && tempFilesOf(dataDir).length === 1);
    child.kill('SIGKILL');
    await new Promise((done) => child?.once('exit', done));
    upload.destroy();
    expect(inFlight()).toBe(1);

    child = await startServer(dataDir, port);
    const names = await api.get('/files').set('X-Session', token).expect(200);
    expect(names.body).toEqual(['kept.txt']);
    expect(inFlight()).toBe(0);
    const blobs = filesUnder(join(dataDir, 'blobs')).filter((path) => !path.startsWith('.tmp'));
    expect(blobs).toHaveLength(1);
    // The sweeper's delete of the abandoned key took its partial temp file too, not the hourly temp sweep.
    expect(tempFilesOf(dataDir)).toEqual([]);
    expect((await api.get('/files/kept.txt').set('X-Session', token).expect(200)).text).toBe('committed before the crash');
  });
});

