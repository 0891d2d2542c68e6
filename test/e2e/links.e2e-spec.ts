import { createHash, randomBytes } from 'node:crypto';
import { get as httpGet, Server } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { DataSource } from 'typeorm';
import { binaryBody } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';
import { LoggedInUser, newUser } from '../support/users';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const DEAD = { error: 'Link not found' };
const MIB = 1024 * 1024;

/**
 * GETs `url` from `server` and, once at least `atLeast` bytes of the body arrived, drops the
 * server's end of the connection, as a network that fails mid-download does: what the server had
 * handed to the connection still arrives, the rest never does. Resolves with the bytes the client got.
 */
function cutDownload(server: Server, url: string, atLeast: number): Promise<Buffer> {
  const serverSockets = new Map<number | undefined, Socket>();
  const remember = (socket: Socket) => serverSockets.set(socket.remotePort, socket);
  server.on('connection', remember);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    let cut = false;
    const req = httpGet({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: url, agent: false }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`GET ${url} answered ${res.statusCode}`));
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        got += chunk.length;
        if (!cut && got >= atLeast) {
          cut = true;
          serverSockets.get(req.socket?.localPort)?.destroy();
        }
      });
      res.on('error', () => undefined);
      res.on('close', () => (cut ? resolve(Buffer.concat(chunks)) : reject(new Error('the connection closed before the cut'))));
    });
    req.on('error', (error) => {
      if (!cut) reject(error);
    });
  }).finally(() => server.off('connection', remember));
}

/** CONTRACT §8: public links. */
describe('public links', () => {
  let t: TestApp;
  let alice: LoggedInUser;
  let bob: LoggedInUser;
  beforeAll(async () => {
    // Tight enough to reach the per-pair limit with wrong link passwords, and a short maximum life.
    t = await startTestApp({ RATE_LIMIT_LOGIN_PAIR: '5/15m', LINK_MAX_TTL: '2h' });
    alice = await newUser(t.http, 'la');
    bob = await newUser(t.http, 'lb');
  });
  afterAll(() => t.close());

  const put = (path: string, body: string) => t.http.put(`/files/${path}`).set(alice.auth).set('Content-Type', 'text/plain').send(body).expect(201);
  const createLink = async (body: Record<string, unknown>) => (await t.http.post('/links').set(alice.auth).send(body).expect(201)).body as { id: number; url: string; downloads: number; expiresAt: string };
  const linkOf = async (id: number) => ((await t.http.get('/links').set(alice.auth).expect(200)).body as { id: number; downloads: number; path: string | null }[]).find((l) => l.id === id)!;
  const db = () => t.app.get(DataSource);

  it('creates a link whose token has 128+ random bits and is stored only as a hash; anyone downloads it as an attachment', async () => {
    await put('docs/report.txt', 'quarterly numbers');
    const res = await t.http.post('/links').set(alice.auth).send({ path: 'docs/report.txt' }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      url: expect.stringMatching(/^\/s\/[A-Za-z0-9_-]{22,}$/),
      path: 'docs/report.txt',
      expiresAt: expect.any(String),
      maxDownloads: null,
      downloads: 0,
      hasPassword: false,
      createdAt: expect.any(String),
    });
    const token = (res.body.url as string).slice(3);
    expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    const rows: { token_hash: string }[] = await db().query(`SELECT token_hash FROM links WHERE id = ${Number(res.body.id)}`);
    expect(rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(await db().query('SELECT * FROM links'))).not.toContain(token);

    const got = await t.http.get(res.body.url).expect(200);
    expect(got.text).toBe('quarterly numbers');
    expect(got.headers['content-disposition']).toMatch(/^attachment; filename="report.txt"/);
    expect(got.headers.etag).toBe(`"${createHash('sha256').update('quarterly numbers').digest('hex')}"`);
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    // The listing shows it counted, and no token.
    const listed = await linkOf(res.body.id);
    expect(listed).toMatchObject({ downloads: 1, path: 'docs/report.txt' });
    expect(listed).not.toHaveProperty('url');
  });

  it('answers ranges, counted by the bytes sent: two halves make one download', async () => {
    await put('range.txt', '0123456789');
    const link = await createLink({ path: 'range.txt', maxDownloads: 2 });
    const first = await t.http.get(link.url).set('Range', 'bytes=0-3').expect(206);
    expect(first.text).toBe('0123');
    const rest = await t.http.get(link.url).set('Range', 'bytes=4-').expect(206);
    expect(rest.text).toBe('456789');
    expect(rest.headers['content-range']).toBe('bytes 4-9/10');
    await t.http.head(link.url).expect(200);
    expect((await linkOf(link.id)).downloads).toBe(1);
    await t.http.get(link.url).expect(200);
    expect((await linkOf(link.id)).downloads).toBe(2);
    expect((await t.http.get(link.url).expect(404)).body).toEqual(DEAD);
  });

  it('counts downloads atomically: 20 at once against maxDownloads 3 give exactly 3 files', async () => {
    await put('popular.bin', 'p'.repeat(64 * 1024));
    const link = await createLink({ path: 'popular.bin', maxDownloads: 3 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.http.get(link.url)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 404)).toHaveLength(17);
    for (const answer of answers.filter((a) => a.status === 200)) expect(answer.body.length ?? answer.text.length).toBe(64 * 1024);
    expect((await linkOf(link.id)).downloads).toBe(3);
  });

  describe('maxDownloads is a budget of bytes sent (n × size, plus min(size, 8 MiB) for bytes lost in flight)', () => {
    const putBytes = (path: string, bytes: Buffer) => t.http.put(`/files/${path}`).set(alice.auth).set('Content-Type', 'application/octet-stream').send(bytes).expect(201);
    const getBytes = (url: string, range?: string) => {
      const req = t.http.get(url).buffer(true).parse(binaryBody);
      return range ? req.set('Range', range) : req;
    };
    /** The error body of an answer read as bytes. */
    const errorOf = (res: { body: unknown }) => JSON.parse((res.body as Buffer).toString('utf8')) as unknown;

    it('ranges cannot walk around it: `bytes=1-` gets a 1-download file at most twice', async () => {
      await putBytes('walk.bin', Buffer.from('0123456789'));
      const link = await createLink({ path: 'walk.bin', maxDownloads: 1 });
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await getBytes(link.url, 'bytes=1-'));
      expect(answers.map((a) => a.status)).toEqual([206, 206, 404, 404, 404]);
      expect((answers[0].body as Buffer).toString()).toBe('123456789');
      expect(errorOf(answers[2])).toEqual(DEAD);
      // 18 of the 20 bytes allowed are gone: 1.8 files, shown as 1 download; a whole file no longer fits.
      expect((await linkOf(link.id)).downloads).toBe(1);
      expect((await getBytes(link.url)).status).toBe(404);
      expect((await getBytes(link.url, 'bytes=0-1')).status).toBe(206);
      expect((await getBytes(link.url, 'bytes=0-0')).status).toBe(404);
    });

    it('a 1-download link cut half-way resumes with Range, and then is used up', async () => {
      // Larger than the allowance plus all that loopback's buffers hold, so that the resume fits
      // only if the bytes the cut kept from being sent were given back.
      const data = randomBytes(48 * MIB);
      await putBytes('big.bin', data);
      const link = await createLink({ path: 'big.bin', maxDownloads: 1 });
      const head = await cutDownload(t.app.getHttpServer() as Server, link.url, 2 * MIB);
      expect(head.length).toBeLessThan(data.length);
      // The server hears of the cut on its own time: what it reserved but did not send comes back then.
      for (let waited = 0; waited < 5000 && (await linkOf(link.id)).downloads !== 0; waited += 50) await new Promise((r) => setTimeout(r, 50));
      expect((await linkOf(link.id)).downloads).toBe(0);

      const rest = await getBytes(link.url, `bytes=${head.length}-`).expect(206);
      expect(rest.headers['content-range']).toBe(`bytes ${head.length}-${data.length - 1}/${data.length}`);
      expect(Buffer.concat([head, rest.body as Buffer]).equals(data)).toBe(true);
      expect((await linkOf(link.id)).downloads).toBe(1);
      // Used up: neither the whole file nor all of it by ranges again.
      expect(errorOf(await getBytes(link.url).expect(404))).toEqual(DEAD);
      expect(errorOf(await getBytes(link.url, 'bytes=0-').expect(404))).toEqual(DEAD);
      expect(errorOf(await getBytes(link.url, 'bytes=1-').expect(404))).toEqual(DEAD);
    });

    it('concurrent GETs on a 1-download link, whole and ranged, serve at most size + allowance bytes in total', async () => {
      const size = 64 * 1024;
      await putBytes('rush.bin', randomBytes(size));
      const link = await createLink({ path: 'rush.bin', maxDownloads: 1 });
      // Mostly ranges past byte 0 (the walk-around), then whole ones.
      const ranges = [...Array.from({ length: 24 }, (_, i) => ['bytes=1-', `bytes=${size / 2}-`, 'bytes=100-60000', 'bytes=0-'][i % 4]), ...Array.from({ length: 6 }, () => undefined)];
      const answers = await Promise.all(ranges.map((range) => getBytes(link.url, range)));
      const served = answers.filter((a) => a.status === 200 || a.status === 206);
      expect(served.length).toBeGreaterThan(0);
      expect(answers.filter((a) => a.status !== 200 && a.status !== 206).every((a) => a.status === 404)).toBe(true);
      const total = served.reduce((sum, a) => sum + (a.body as Buffer).length, 0);
      expect(total).toBeLessThanOrEqual(2 * size);
      expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(1);
      expect((await linkOf(link.id)).downloads).toBe(Math.floor(total / size));
    });

    it('a plain GET counts one download; HEAD counts nothing', async () => {
      await putBytes('plain.bin', Buffer.from('plain bytes'));
      const link = await createLink({ path: 'plain.bin', maxDownloads: 2 });
      for (let i = 0; i < 5; i++) await t.http.head(link.url).expect(200);
      expect((await linkOf(link.id)).downloads).toBe(0);
      expect(((await getBytes(link.url).expect(200)).body as Buffer).toString()).toBe('plain bytes');
      expect((await linkOf(link.id)).downloads).toBe(1);
      await t.http.head(link.url).expect(200);
      expect((await linkOf(link.id)).downloads).toBe(1);
      await getBytes(link.url).expect(200);
      expect((await linkOf(link.id)).downloads).toBe(2);
      expect(errorOf(await getBytes(link.url).expect(404))).toEqual(DEAD);
    });

    it('an empty file counts its downloads too', async () => {
      await putBytes('empty.bin', Buffer.alloc(0));
      const link = await createLink({ path: 'empty.bin', maxDownloads: 2 });
      await getBytes(link.url).expect(200);
      await getBytes(link.url).expect(200);
      expect((await linkOf(link.id)).downloads).toBe(2);
      await getBytes(link.url).expect(404);
    });
  });

  it('gives a browser a small page with the name, size and a download button, which counts only when pressed', async () => {
    await put('photos/<cat>.txt', 'meow');
    const link = await createLink({ path: 'photos/%3Ccat%3E.txt'.replace(/%3C/g, '<').replace(/%3E/g, '>') });
    const page = await t.http.get(link.url).set('Accept', BROWSER_ACCEPT).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('&#60;cat&#62;.txt');
    expect(page.text).not.toContain('<cat>');
    expect(page.text).toContain('4 B');
    expect(page.text).toContain(`href="${link.url}?download=1"`);
    expect((await linkOf(link.id)).downloads).toBe(0);
    const bytes = await t.http.get(`${link.url}?download=1`).set('Accept', BROWSER_ACCEPT).expect(200);
    expect(bytes.text).toBe('meow');
    expect((await linkOf(link.id)).downloads).toBe(1);
  });

  it('asks for a password: 401 without, wrong ones are failed logins (429 past the limit), the right one by JSON or form', async () => {
    await put('secret.txt', 'classified');
    const link = await (async () => {
      const res = await t.http.post('/links').set(alice.auth).send({ path: 'secret.txt', password: 'open sesame' }).expect(201);
      expect(res.body.hasPassword).toBe(true);
      return res.body as { id: number; url: string };
    })();
    expect((await t.http.get(link.url).expect(401)).body.error).toEqual(expect.any(String));
    const page = await t.http.get(link.url).set('Accept', BROWSER_ACCEPT).expect(200);
    expect(page.text).toContain('type="password"');
    expect(page.text).toContain(`action="${link.url}"`);
    expect((await t.http.post(link.url).send({ password: 'wrong' }).expect(401)).body.error).toEqual(expect.any(String));
    const wrongPage = await t.http.post(link.url).set('Accept', BROWSER_ACCEPT).type('form').send({ password: 'also wrong' }).expect(401);
    expect(wrongPage.text).toContain('Wrong password');
    expect((await t.http.post(link.url).send({ password: 'open sesame' }).expect(200)).text).toBe('classified');
    expect((await t.http.post(link.url).type('form').send({ password: 'open sesame' }).expect(200)).text).toBe('classified');
    expect((await linkOf(link.id)).downloads).toBe(2);
    // Five wrong in a row from one address reach the per-pair limit of 5.
    for (let i = 0; i < 5; i++) await t.http.post(link.url).send({ password: `guess ${i}` }).expect(401);
    const limited = await t.http.post(link.url).send({ password: 'open sesame' }).expect(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('answers one 404 {error: "Link not found"} for an unknown, revoked, expired, used-up link or a deleted file', async () => {
    await put('dead/a.txt', 'a');
    const unknown = await t.http.get('/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').expect(404);
    const revoked = await createLink({ path: 'dead/a.txt' });
    await t.http.delete(`/links/${revoked.id}`).set(alice.auth).expect(204);
    const expired = await createLink({ path: 'dead/a.txt' });
    await db().query(`UPDATE links SET expires_at = ${t.config.db.type === 'sqlite' ? "'2000-01-01 00:00:00.000'" : "'2000-01-01 00:00:00'"} WHERE id = ${expired.id}`);
    const used = await createLink({ path: 'dead/a.txt', maxDownloads: 1 });
    await t.http.get(used.url).expect(200);
    const trashed = await createLink({ path: 'dead/a.txt' });
    await t.http.delete('/folders/dead').set(alice.auth).expect(204);
    const answers = [unknown, await t.http.get(revoked.url), await t.http.get(expired.url), await t.http.get(used.url), await t.http.get(trashed.url)];
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual(DEAD);
    }
    expect((await t.http.get(trashed.url).set('Accept', BROWSER_ACCEPT).expect(404)).text).toContain('This link is no longer available');
    expect((await t.http.post(trashed.url).send({ password: 'x' }).expect(404)).body).toEqual(DEAD);
    expect((await linkOf(trashed.id)).path).toBeNull();
    // Restoring the folder brings its file's link back.
    const item = ((await t.http.get('/trash').set(alice.auth).expect(200)).body as { id: number; path: string }[]).find((i) => i.path === 'dead')!;
    await t.http.post(`/trash/${item.id}/restore`).set(alice.auth).send({}).expect(200);
    expect((await t.http.get(trashed.url).expect(200)).text).toBe('a');
  });

  it('gives a browser a page saying a dead link is no longer available, with the status of the JSON answer that other clients keep getting', async () => {
    await put('gone/once.txt', 'once');
    const used = await createLink({ path: 'gone/once.txt', maxDownloads: 1 });
    await t.http.get(used.url).expect(200);
    for (const url of [used.url, '/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      const json = await t.http.get(url);
      expect([404, 410]).toContain(json.status);
      expect(json.body).toEqual(DEAD);
      for (const accept of ['application/json', '*/*']) expect((await t.http.get(url).set('Accept', accept).expect(json.status)).body).toEqual(DEAD);
      expect((await t.http.post(url).send({ password: 'x' }).expect(json.status)).body).toEqual(DEAD);
      for (const page of [
        await t.http.get(url).set('Accept', BROWSER_ACCEPT),
        await t.http.get(`${url}?download=1`).set('Accept', BROWSER_ACCEPT),
        await t.http.post(url).set('Accept', BROWSER_ACCEPT).type('form').send({ password: 'x' }),
      ]) {
        expect(page.status).toBe(json.status);
        expect(page.headers['content-type']).toMatch(/^text\/html/);
        expect(page.headers['cache-control']).toBe('no-store');
        expect(page.text).toContain('<h1>This link is no longer available</h1>');
      }
    }
  });

  it('caps the expiry at LINK_MAX_TTL, refuses bad input, and changes password, expiry and limit', async () => {
    await put('ttl.txt', 'ttl');
    const inTwoHours = Date.now() + 2 * 3600_000;
    const plain = await createLink({ path: 'ttl.txt' });
    expect(Math.abs(Date.parse(plain.expiresAt) - inTwoHours)).toBeLessThan(60_000);
    const far = await createLink({ path: 'ttl.txt', expiresAt: new Date(Date.now() + 365 * 24 * 3600_000).toISOString() });
    expect(Math.abs(Date.parse(far.expiresAt) - inTwoHours)).toBeLessThan(60_000);
    const soon = new Date(Date.now() + 600_000).toISOString();
    expect((await createLink({ path: 'ttl.txt', expiresAt: soon })).expiresAt).toBe(soon);

    for (const body of [{ path: 'ttl.txt', expiresAt: '2001-01-01T00:00:00Z' }, { path: 'ttl.txt', expiresAt: 'tomorrow' }, { path: 'ttl.txt', maxDownloads: 0 }, { path: 'ttl.txt', maxDownloads: 1.5 }, { path: 'ttl.txt', password: '' }, { path: '../x' }, {}]) {
      const res = await t.http.post('/links').set(alice.auth).send(body).expect(400);
      expect(res.body.error).toEqual(expect.any(String));
    }
    await t.http.post('/links').set(alice.auth).send({ path: 'nothing-here.txt' }).expect(404);
    await t.http.post('/links').send({ path: 'ttl.txt' }).expect(403);
    await t.http.get('/links').expect(403);
    await t.http.patch(`/links/${plain.id}`).send({ maxDownloads: 5 }).expect(403);
    await t.http.delete(`/links/${plain.id}`).expect(403);
    await t.http.post('/links').set(alice.auth).send({ path: 'ttl.txt', password: 'p'.repeat(1025) }).expect(400);
    for (const body of [{ maxDownloads: 0 }, { expiresAt: '2001-01-01T00:00:00Z' }, { expiresAt: 'soon' }, { password: '' }, { maxDownloads: 'many' }]) {
      const res = await t.http.patch(`/links/${plain.id}`).set(alice.auth).send(body).expect(400);
      expect(res.body.error).toEqual(expect.any(String));
    }
    // A password POSTed without one is bad input, not a wrong guess.
    expect((await t.http.post(plain.url).send({}).expect(400)).body.error).toEqual(expect.any(String));
    // Another user's link is not theirs to see, change or revoke.
    expect(((await t.http.get('/links').set(bob.auth).expect(200)).body as unknown[]).length).toBe(0);
    await t.http.patch(`/links/${plain.id}`).set(bob.auth).send({ maxDownloads: 5 }).expect(404);
    await t.http.delete(`/links/${plain.id}`).set(bob.auth).expect(404);
    await t.http.delete('/links/abc').set(alice.auth).expect(404);

    const changed = await t.http.patch(`/links/${plain.id}`).set(alice.auth).send({ password: 'pw', maxDownloads: 1, expiresAt: soon }).expect(200);
    expect(changed.body).toMatchObject({ hasPassword: true, maxDownloads: 1, expiresAt: soon, path: 'ttl.txt' });
    await t.http.get(plain.url).expect(401);
    const cleared = await t.http.patch(`/links/${plain.id}`).set(alice.auth).send({ password: null, maxDownloads: null }).expect(200);
    expect(cleared.body).toMatchObject({ hasPassword: false, maxDownloads: null });
    expect((await t.http.get(plain.url).expect(200)).text).toBe('ttl');
    // A moved file keeps its links, which say where it is now.
    await t.http.post('/move').set(alice.auth).send({ from: 'ttl.txt', to: 'moved/ttl.txt' }).expect(200);
    expect((await linkOf(plain.id)).path).toBe('moved/ttl.txt');
    expect((await t.http.get(plain.url).expect(200)).text).toBe('ttl');
  });
});
