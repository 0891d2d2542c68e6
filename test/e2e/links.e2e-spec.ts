import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/test-app';
import { LoggedInUser, newUser } from '../support/users';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const DEAD = { error: 'Link not found' };

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

  it('answers ranges: a resumed download (a range past byte 0) counts no extra download', async () => {
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
    expect((await t.http.get(trashed.url).set('Accept', BROWSER_ACCEPT).expect(404)).body).toEqual(DEAD);
    expect((await t.http.post(trashed.url).send({ password: 'x' }).expect(404)).body).toEqual(DEAD);
    expect((await linkOf(trashed.id)).path).toBeNull();
    // Restoring the folder brings its file's link back.
    const item = ((await t.http.get('/trash').set(alice.auth).expect(200)).body as { id: number; path: string }[]).find((i) => i.path === 'dead')!;
    await t.http.post(`/trash/${item.id}/restore`).set(alice.auth).send({}).expect(200);
    expect((await t.http.get(trashed.url).expect(200)).text).toBe('a');
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
