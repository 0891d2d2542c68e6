import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, TestApp } from '../support/test-app';
import { LoggedInUser, loginAdmin, newUser } from '../support/users';
import { binaryBody } from '../support/http';

const run = promisify(execFile);
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const basic = (u: { username: string; password: string }) => ({ Authorization: `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}` });

/**
 * Real WebDAV clients (Debian's litmus, rclone, cadaver). CI installs them and sets
 * DAV_CLIENTS=required, so that a missing one fails there; elsewhere a client that is not
 * installed is left out.
 */
function client(name: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
  if (!found && process.env.DAV_CLIENTS === 'required') throw new Error(`${name} is not installed (DAV_CLIENTS=required)`);
  return found;
}
const itWith = (name: string): jest.It => (client(name) ? it : it.skip);

/** CONTRACT §6: WebDAV at /dav/, one store with REST. */
describe('WebDAV', () => {
  let t: TestApp;
  let base: string;
  let alice: LoggedInUser;
  beforeAll(async () => {
    t = await startTestApp({ MAX_UPLOAD_BYTES: String(64 * 1024 * 1024) });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    alice = await newUser(t.http, 'da');
  });
  afterAll(() => t.close());

  const propfind = (who: { username: string; password: string }, path: string, depth = '1', body?: string) =>
    t.http.propfind(path).set(basic(who)).set('Depth', depth).set('Content-Type', 'application/xml').send(body ?? '');

  it('asks for Basic credentials (401 with the challenge) and answers OPTIONS with DAV: 1, 2', async () => {
    const res = await t.http.options('/dav/').expect(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="Cloudstash", charset="UTF-8"');
    await propfind({ username: alice.username, password: 'wrong-password' }, '/dav/').expect(401);
    const options = await t.http.options('/dav/').set(basic(alice)).expect(200);
    expect(options.headers.dav).toBe('1, 2');
    // Any carrier works, as on every route.
    await t.http.options('/dav/').set(alice.auth).expect(200);
  });

  it('refuses PROPFIND Depth: infinity with propfind-finite-depth', async () => {
    const res = await propfind(alice, '/dav/', 'infinity').expect(403);
    expect(res.text).toContain('propfind-finite-depth');
  });

  it('reports quota properties when asked (RFC 4331), and never deletes the root', async () => {
    const ask = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:quota-used-bytes/><D:quota-available-bytes/></D:prop></D:propfind>';
    const admin = await loginAdmin(t.http);
    const u = await newUser(t.http, 'dz');
    await t.http.patch(`/admin/users/${u.username}`).set(admin.auth).send({ storageQuota: 5000 }).expect(200);
    await t.http.put('/dav/q.bin').set(basic(u)).send(Buffer.alloc(1200)).expect(201);
    const res = await propfind(u, '/dav/', '0', ask).expect(207);
    expect(res.text).toContain('<D:quota-used-bytes>1200</D:quota-used-bytes>');
    expect(res.text).toContain('<D:quota-available-bytes>3800</D:quota-available-bytes>');
    const allprop = await propfind(u, '/dav/', '0', '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/><D:include><D:quota-used-bytes/></D:include></D:propfind>').expect(207);
    expect(allprop.text).toContain('<D:quota-used-bytes>1200</D:quota-used-bytes>');
    expect(allprop.text).not.toContain('quota-available-bytes');
    await t.http.delete('/dav/').set(basic(u)).expect(403);
    await t.http.get('/dav/q.bin').set(basic(u)).expect(200);
  });

  it('is one store with REST: written by one, read, versioned, moved and deleted by the other', async () => {
    await t.http.put('/dav/shared%20space.txt').set(basic(alice)).send('from dav').expect(201);
    await t.http.put('/dav/shared%20space.txt').set(basic(alice)).send('from dav, again').expect(204);
    const versions = await t.http.get('/files/shared%20space.txt/versions').set(alice.auth).expect(200);
    expect(versions.body.map((v: { sha256: string }) => v.sha256)).toEqual([sha256('from dav, again'), sha256('from dav')]);

    await t.http.put('/files/rest/made.txt').set(alice.auth).send('from rest').expect(201);
    const listing = await propfind(alice, '/dav/rest/').expect(207);
    expect(listing.text).toContain('<D:href>/dav/rest/made.txt</D:href>');
    expect(listing.text).toContain(`<D:getetag>"${sha256('from rest')}"</D:getetag>`);
    const got = await t.http.get('/dav/rest/made.txt').set(basic(alice)).expect(200);
    expect(got.text).toBe('from rest');
    expect(got.headers.etag).toBe(`"${sha256('from rest')}"`);

    const id = (await t.http.get('/files/rest/made.txt/id').set(alice.auth).expect(200)).body.id;
    await t.http.move('/dav/rest/').set(basic(alice)).set('Destination', `${base}/dav/moved/`).expect(201);
    expect((await t.http.get('/files/moved/made.txt/id').set(alice.auth).expect(200)).body.id).toBe(id);

    await t.http.delete('/files/moved/made.txt').set(alice.auth).expect(204);
    await t.http.get('/dav/moved/made.txt').set(basic(alice)).expect(404);
    await t.http.post('/move').set(alice.auth).send({ from: 'shared space.txt', to: 'moved/again.txt' }).expect(200);
    expect((await t.http.get('/dav/moved/again.txt').set(basic(alice)).expect(200)).text).toBe('from dav, again');
  });

  it("never reaches another user's files", async () => {
    const bob = await newUser(t.http, 'db');
    await t.http.put('/files/secret.txt').set(alice.auth).send('mine').expect(201);
    await t.http.get('/dav/secret.txt').set(basic(bob)).expect(404);
    const listing = await propfind(bob, '/dav/').expect(207);
    expect(listing.text).not.toContain('secret.txt');
    await t.http.delete('/dav/secret.txt').set(basic(bob)).expect(404);
    await t.http.get('/files/secret.txt').set(alice.auth).expect(200);
  });

  it('applies the same limits as REST: 413 over MAX_UPLOAD_BYTES, 507 over the quota', async () => {
    const admin = await loginAdmin(t.http);
    const u = await newUser(t.http, 'dq');
    await t.http.patch(`/admin/users/${u.username}`).set(admin.auth).send({ storageQuota: 1000 }).expect(200);
    await t.http.put('/dav/big.bin').set(basic(u)).send(Buffer.alloc(2000)).expect(507);
    await t.http.put('/dav/huge.bin').set(basic(u)).set('Content-Length', String(65 * 1024 * 1024)).expect(413);
    expect((await t.http.get('/files').set(u.auth).expect(200)).body).toEqual([]);
  });

  it('keeps dead properties with the resource when it moves (and copies them)', async () => {
    await t.http.put('/dav/props.txt').set(basic(alice)).send('p').expect(201);
    const patch = '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:example"><D:set><D:prop><Z:colour>blue</Z:colour></D:prop></D:set></D:propertyupdate>';
    await t.http.proppatch('/dav/props.txt').set(basic(alice)).set('Content-Type', 'application/xml').send(patch).expect(207);
    await t.http.move('/dav/props.txt').set(basic(alice)).set('Destination', `${base}/dav/props2.txt`).expect(201);
    await t.http.copy('/dav/props2.txt').set(basic(alice)).set('Destination', `${base}/dav/props3.txt`).expect(201);
    const ask = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><Z:colour xmlns:Z="urn:example"/></D:prop></D:propfind>';
    for (const path of ['/dav/props2.txt', '/dav/props3.txt']) {
      const res = await propfind(alice, path, '0', ask).expect(207);
      expect(res.text).toMatch(/<Z:colour xmlns:Z="urn:example">blue<\/Z:colour>/);
    }
    await t.http.proppatch('/dav/props2.txt').set(basic(alice)).send('<not xml').expect(400);
  });

  itWith('litmus')('passes litmus: basic, copymove, props, locks and http, 100 %', async () => {
    const u = await newUser(t.http, 'dl');
    const cwd = mkdtempSync(join(tmpdir(), 'litmus-'));
    try {
      const { stdout } = await run('litmus', [`${base}/dav/`, u.username, u.password], { cwd, timeout: 240_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, TESTS: 'basic copymove props locks http' } });
      const summaries = stdout.split('\n').filter((line) => line.includes('summary for'));
      expect(summaries).toHaveLength(5);
      for (const line of summaries) expect(line).toMatch(/ 0 failed\. 100\.0%/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 300_000);

  itWith('rclone')('works with rclone: copy, check, sync, moveto, lsf -R and purge over a tree of awkward names', async () => {
    const u = await newUser(t.http, 'dr');
    const work = mkdtempSync(join(tmpdir(), 'rclone-'));
    const local = join(work, 'tree');
    const files: Record<string, Buffer> = {
      'plain.txt': Buffer.from('plain'),
      'empty file': Buffer.alloc(0),
      'with space/and ümlaut ✓.txt': Buffer.from('unicode'),
      'odd/100% & #hash.bin': randomBytes(1000),
      'odd/deeper/still/big.bin': randomBytes(20 * 1024 * 1024),
    };
    for (const [path, bytes] of Object.entries(files)) {
      mkdirSync(join(local, path, '..'), { recursive: true });
      writeFileSync(join(local, path), bytes);
    }
    const obscured = (await run('rclone', ['obscure', u.password])).stdout.trim();
    const env = {
      ...process.env,
      RCLONE_CONFIG: join(work, 'rclone.conf'),
      RCLONE_CONFIG_CS_TYPE: 'webdav',
      RCLONE_CONFIG_CS_URL: `${base}/dav/`,
      RCLONE_CONFIG_CS_VENDOR: 'other',
      RCLONE_CONFIG_CS_USER: u.username,
      RCLONE_CONFIG_CS_PASS: obscured,
    };
    const rclone = (...args: string[]) => run('rclone', [...args, '--low-level-retries', '1', '--retries', '1'], { env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    try {
      await rclone('copy', local, 'cs:tree');
      await rclone('check', local, 'cs:tree');

      // REST sees the same files, bytes and ETags.
      for (const [path, bytes] of Object.entries(files)) {
        const url = `/files/tree/${path.split('/').map(encodeURIComponent).join('/')}`;
        const versions = await t.http.get(`${url}/versions`).set(u.auth).expect(200);
        expect(versions.body[0]).toMatchObject({ size: bytes.length, sha256: sha256(bytes) });
        const head = await t.http.head(url).set(u.auth).expect(200);
        expect(head.headers.etag).toBe(`"${sha256(bytes)}"`);
      }

      // sync: a new file arrives, a removed one goes.
      writeFileSync(join(local, 'new.txt'), 'new');
      unlinkSync(join(local, 'plain.txt'));
      await rclone('sync', local, 'cs:tree');
      await rclone('check', local, 'cs:tree');
      await t.http.get('/files/tree/plain.txt').set(u.auth).expect(404);

      await rclone('moveto', 'cs:tree/new.txt', 'cs:tree/odd/renamed.txt');
      const listed = (await rclone('lsf', '-R', 'cs:tree')).stdout.split('\n').filter(Boolean).sort();
      expect(listed).toEqual(
        [
          'empty file',
          'odd/',
          'odd/100% & #hash.bin',
          'odd/deeper/',
          'odd/deeper/still/',
          'odd/deeper/still/big.bin',
          'odd/renamed.txt',
          'with space/',
          'with space/and ümlaut ✓.txt',
        ].sort(),
      );
      expect((await t.http.get('/files/tree/odd/renamed.txt').set(u.auth).expect(200)).text).toBe('new');

      await rclone('purge', 'cs:tree');
      await t.http.get('/folders/tree').set(u.auth).expect(404);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 300_000);

  itWith('cadaver')('answers a scripted cadaver session (smoke test)', async () => {
    const u = await newUser(t.http, 'dc');
    const home = mkdtempSync(join(tmpdir(), 'cadaver-'));
    try {
      writeFileSync(join(home, '.netrc'), `machine 127.0.0.1\nlogin ${u.username}\npassword ${u.password}\n`, { mode: 0o600 });
      writeFileSync(join(home, 'up.txt'), 'cadaver bytes\n');
      const script = ['mkcol smoke', 'put up.txt smoke/up.txt', 'ls smoke', 'get smoke/up.txt down.txt', 'lock smoke/up.txt', 'unlock smoke/up.txt', 'quit', ''].join('\n');
      // Asynchronously: the server answering cadaver runs in this very process.
      const session = run('cadaver', [`${base}/dav/`], { cwd: home, env: { ...process.env, HOME: home }, timeout: 60_000 });
      session.child.stdin?.end(script);
      const { stdout } = await session;
      expect(stdout).toContain('Uploading up.txt');
      expect(stdout).toMatch(/Locking `smoke\/up.txt': succeeded/);
      expect(readFileSync(join(home, 'down.txt'), 'utf8')).toBe('cadaver bytes\n');
      const rest = await t.http.get('/files/smoke/up.txt').set(u.auth).buffer(true).parse(binaryBody);
      expect(rest.status).toBe(200);
      expect((rest.body as Buffer).toString()).toBe('cadaver bytes\n');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);
});
