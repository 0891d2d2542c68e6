import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { BlobHolders } from '../../src/files/blob-holders';
import { MetricsService } from '../../src/observability/metrics.service';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/test-app';
import { LoggedInUser, newUser } from '../support/users';

/** CONTRACT §5: folders, paths in /files, move and copy. */
describe('folders', () => {
  let t: TestApp;
  let alice: LoggedInUser;
  let bob: LoggedInUser;
  beforeAll(async () => {
    t = await startTestApp();
    alice = await newUser(t.http, 'fa');
    bob = await newUser(t.http, 'fb');
  });
  afterAll(() => t.close());

  const put = (who: LoggedInUser, path: string, body: string | Buffer) => t.http.put(`/files/${path}`).set(who.auth).set('Content-Type', 'text/plain').send(body);
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');

  /** Resolves when the next upload has its reservation and starts streaming into the blob store. */
  function nextUploadStarted(): Promise<void> {
    const metrics = t.app.get(MetricsService);
    const original = metrics.uploadStarted.bind(metrics);
    return new Promise((resolve) => {
      jest.spyOn(metrics, 'uploadStarted').mockImplementationOnce(() => {
        const finished = original();
        resolve();
        return finished;
      });
    });
  }

  it('PUT at any depth creates the parents, answers with an encoded Location, and GET reads it back', async () => {
    const res = await put(alice, 'docs/2024/a%20b.txt', 'deep').expect(201);
    expect(res.headers.location).toBe('/files/docs/2024/a%20b.txt');
    expect(res.body).toMatchObject({ name: 'a b.txt', version: 1, size: 4, sha256: sha('deep') });
    const got = await t.http.get('/files/docs/2024/a%20b.txt').set(alice.auth).expect(200);
    expect(got.text).toBe('deep');
    expect(got.headers.etag).toBe(`"${sha('deep')}"`);
    await t.http.head('/files/docs/2024/a%20b.txt').set(alice.auth).expect(200);
    await put(alice, 'docs/2024/a%20b.txt', 'deeper').expect(201);
    const versions = await t.http.get('/files/docs/2024/a%20b.txt/versions').set(alice.auth).expect(200);
    expect(versions.body.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const id = await t.http.get('/files/docs/2024/a%20b.txt/id').set(alice.auth).expect(200);
    expect(id.body).toEqual({ id: res.body.id, name: 'a b.txt' });
    expect((await t.http.get('/files/docs/2024/a%20b.txt?version=1').set(alice.auth).expect(200)).text).toBe('deep');
  });

  it('keeps %2F inside a name a bad name (400), and empty names too', async () => {
    await put(alice, 'docs%2Fx.txt', 'x').expect(400);
    await put(alice, 'docs//x.txt', 'x').expect(400);
    await t.http.get('/files/docs/%2E%2E/x').set(alice.auth).expect(400);
  });

  it('refuses a file where a folder is and a folder where a file is (one namespace per folder)', async () => {
    await put(alice, 'ns/thing', 'file').expect(201);
    await put(alice, 'ns/thing/inner.txt', 'x').expect(409);
    await t.http.post('/folders/ns/thing').set(alice.auth).expect(409);
    await t.http.post('/folders/ns/dir').set(alice.auth).expect(201, { path: 'ns/dir' });
    await put(alice, 'ns/dir', 'x').expect(409);
    await t.http.post('/folders/ns/dir').set(alice.auth).expect(409);
  });

  it('GET /files lists root files and root folders with a trailing slash; S4 shape too', async () => {
    const u = await newUser(t.http, 'fl');
    await put(u, 'b.txt', 'b').expect(201);
    await put(u, 'a/c.txt', 'c').expect(201);
    await t.http.post('/folders/z').set(u.auth).expect(201);
    expect((await t.http.get('/files').set(u.auth).expect(200)).body).toEqual(['a/', 'b.txt', 'z/']);
    expect((await t.http.get('/files?include=shared').set(u.auth).expect(200)).body).toEqual({ your_files: ['a/', 'b.txt', 'z/'], shared_files: [] });
  });

  it('GET /folders lists a folder: folders and files by name, with the newest version and shared state', async () => {
    const u = await newUser(t.http, 'fg');
    await put(u, 'p/x.txt', 'x1').expect(201);
    await put(u, 'p/x.txt', 'x22').expect(201);
    await t.http.post('/folders/p/sub').set(u.auth).expect(201);
    const id = (await t.http.get('/files/p/x.txt/id').set(u.auth).expect(200)).body.id as number;
    await t.http.post('/share').set(u.auth).send({ file_id: id, user_destination_id: bob.id }).expect(200);
    const listing = await t.http.get('/folders/p').set(u.auth).expect(200);
    expect(listing.body).toMatchObject({ path: 'p', folders: [{ name: 'sub' }], files: [{ id, name: 'x.txt', version: 2, size: 3, sha256: sha('x22'), shared: true }] });
    expect((await t.http.get('/folders').set(u.auth).expect(200)).body).toMatchObject({ path: '', folders: [{ name: 'p' }], files: [] });
    await t.http.get('/folders/nope').set(u.auth).expect(404);
    await t.http.get('/folders/p/x.txt').set(u.auth).expect(404);
    // The recipient sees the shared file by its name, not its path.
    expect((await t.http.get('/files?include=shared').set(bob.auth).expect(200)).body.shared_files).toContain('x.txt');
    expect((await t.http.post('/download').set(bob.auth).send({ file_id: id }).expect(200)).text).toBe('x22');
  });

  it("never shows or touches another user's tree", async () => {
    await put(alice, 'private/secret.txt', 's').expect(201);
    await t.http.get('/files/private/secret.txt').set(bob.auth).expect(404);
    await t.http.get('/folders/private').set(bob.auth).expect(404);
    await t.http.delete('/folders/private').set(bob.auth).expect(404);
    await t.http.post('/move').set(bob.auth).send({ from: 'private', to: 'mine' }).expect(404);
    await t.http.post('/copy').set(bob.auth).send({ from: 'private/secret.txt', to: 'mine.txt' }).expect(404);
    await t.http.get('/files/private/secret.txt').set(alice.auth).expect(200);
  });

  it('needs a credential (403, storage style)', async () => {
    await t.http.get('/folders').expect(403);
    await t.http.post('/folders/x').expect(403);
    await t.http.post('/move').send({ from: 'a', to: 'b' }).expect(403);
  });

  it('moves a file keeping its id, versions and shares', async () => {
    const u = await newUser(t.http, 'fm');
    await put(u, 'one.txt', 'v1').expect(201);
    const first = await put(u, 'one.txt', 'v2').expect(201);
    await t.http.post('/share').set(u.auth).send({ file_id: first.body.id, user_destination_id: bob.id }).expect(200);
    await t.http.post('/move').set(u.auth).send({ from: 'one.txt', to: 'deep/er/two.txt' }).expect(200, { path: 'deep/er/two.txt' });
    await t.http.get('/files/one.txt').set(u.auth).expect(404);
    const id = await t.http.get('/files/deep/er/two.txt/id').set(u.auth).expect(200);
    expect(id.body.id).toBe(first.body.id);
    expect((await t.http.get('/files/deep/er/two.txt/versions').set(u.auth).expect(200)).body).toHaveLength(2);
    expect((await t.http.post('/download').set(bob.auth).send({ file_id: first.body.id }).expect(200)).text).toBe('v2');
  });

  it('moves a folder of many files with a constant number of statements', async () => {
    const u = await newUser(t.http, 'fk');
    await t.http.post('/folders/big').set(u.auth).expect(201);
    for (let i = 0; i < 30; i++) await put(u, `big/f${i}.txt`, `${i}`).expect(201);
    const dataSource = t.app.get(DataSource);
    const statements: string[] = [];
    const logger = dataSource.logger;
    const original = logger.logQuery.bind(logger);
    logger.logQuery = (query: string, parameters?: unknown[]) => {
      if (/^\s*(UPDATE|INSERT|DELETE)/i.test(query)) statements.push(query);
      return original(query, parameters);
    };
    const previous = dataSource.driver.options.logging;
    Object.assign(dataSource.driver.options, { logging: true });
    try {
      await t.http.post('/move').set(u.auth).send({ from: 'big', to: 'moved/big2' }).expect(200);
    } finally {
      logger.logQuery = original;
      Object.assign(dataSource.driver.options, { logging: previous });
    }
    // One UPDATE of the folder row, one INSERT of the missing parent: nothing per file.
    expect(statements.some((sql) => /^\s*UPDATE/i.test(sql))).toBe(true);
    expect(statements.length).toBeLessThanOrEqual(3);
    expect((await t.http.get('/folders/moved/big2').set(u.auth).expect(200)).body.files).toHaveLength(30);
    expect((await t.http.get('/files/moved/big2/f7.txt').set(u.auth).expect(200)).text).toBe('7');
    await t.http.get('/folders/big').set(u.auth).expect(404);
  });

  it('refuses to move onto an existing path unless overwrite, and a folder into itself', async () => {
    const u = await newUser(t.http, 'fo');
    await put(u, 'a.txt', 'a').expect(201);
    await put(u, 'b.txt', 'b').expect(201);
    await t.http.post('/move').set(u.auth).send({ from: 'a.txt', to: 'b.txt' }).expect(409);
    await t.http.post('/move').set(u.auth).send({ from: 'a.txt', to: 'b.txt', overwrite: true }).expect(200);
    expect((await t.http.get('/files/b.txt').set(u.auth).expect(200)).text).toBe('a');
    await t.http.post('/folders/d/e').set(u.auth).expect(201);
    await t.http.post('/move').set(u.auth).send({ from: 'd', to: 'd/e/d' }).expect(409);
    await t.http.post('/move').set(u.auth).send({ from: 'missing', to: 'x' }).expect(404);
    await t.http.post('/move').set(u.auth).send({ from: '', to: 'x' }).expect(400);
    await t.http.post('/move').set(u.auth).send({ from: 'b.txt', to: 'x%2F/..' }).expect(400);
    await t.http.post('/move').set(u.auth).send({ from: 'b.txt' }).expect(400);
  });

  it('copies a folder: new files with one version each, the source untouched', async () => {
    const u = await newUser(t.http, 'fc');
    await put(u, 'src/a.txt', 'a1').expect(201);
    await put(u, 'src/a.txt', 'a2').expect(201);
    await put(u, 'src/sub/b.txt', 'b').expect(201);
    await t.http.post('/copy').set(u.auth).send({ from: 'src', to: 'dst' }).expect(200, { path: 'dst' });
    const versions = await t.http.get('/files/dst/a.txt/versions').set(u.auth).expect(200);
    expect(versions.body).toHaveLength(1);
    expect((await t.http.get('/files/dst/a.txt').set(u.auth).expect(200)).text).toBe('a2');
    expect((await t.http.get('/files/dst/sub/b.txt').set(u.auth).expect(200)).text).toBe('b');
    const a = (await t.http.get('/files/src/a.txt/id').set(u.auth)).body.id;
    const copy = (await t.http.get('/files/dst/a.txt/id').set(u.auth)).body.id;
    expect(copy).not.toBe(a);
    await t.http.post('/copy').set(u.auth).send({ from: 'src', to: 'dst' }).expect(409);
  });

  it('refuses a copy over the quota (507) and leaves nothing of it behind', async () => {
    const admin = await t.http.post('/login').send({ username: 'admin', password: 'admin-password-1' }).expect(200);
    const u = await newUser(t.http, 'fq');
    await t.http.patch(`/admin/users/${u.username}`).set('Authorization', `Bearer ${admin.body.token}`).send({ storageQuota: 100 }).expect(200);
    await put(u, 'q/a.bin', 'x'.repeat(40)).expect(201);
    await put(u, 'q/b.bin', 'y'.repeat(40)).expect(201);
    await t.http.post('/copy').set(u.auth).send({ from: 'q', to: 'q2' }).expect(507);
    await t.http.get('/folders/q2').set(u.auth).expect(404);
  });

  it('DELETE /folders removes the folder with all it holds; the root cannot go', async () => {
    const u = await newUser(t.http, 'fd');
    await put(u, 'gone/a.txt', 'a').expect(201);
    await put(u, 'gone/deeper/b.txt', 'b').expect(201);
    await t.http.delete('/folders/gone').set(u.auth).expect(204);
    await t.http.get('/files/gone/deeper/b.txt').set(u.auth).expect(404);
    await t.http.get('/folders/gone').set(u.auth).expect(404);
    await t.http.delete('/folders/gone').set(u.auth).expect(404);
    await t.http.delete('/folders').set(u.auth).expect(400);
    await t.http.delete('/folders/').set(u.auth).expect(400);
    expect((await t.http.get('/files').set(u.auth).expect(200)).body).toEqual([]);
  });

  it('takes back an upload whose folder was deleted while its bytes streamed (409, nothing left behind)', async () => {
    const u = await newUser(t.http, 'fr');
    await t.http.post('/folders/doomed').set(u.auth).expect(201);
    const { port } = (t.app.getHttpServer() as import('node:http').Server).address() as import('node:net').AddressInfo;
    const started = nextUploadStarted();
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`http://127.0.0.1:${port}/files/doomed/late.txt`, { method: 'PUT', headers: { ...u.auth, 'Content-Length': '10' } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('first');
      // The folder goes while the upload is half-way; then the rest of the bytes arrive.
      void (async () => {
        await started;
        await t.http.delete('/folders/doomed').set(u.auth).expect(204);
        req.end('-last');
      })();
    });
    const { status, body } = await answer;
    expect(status).toBe(409);
    expect(JSON.parse(body)).toEqual({ error: expect.any(String) });
    await t.http.get('/folders/doomed').set(u.auth).expect(404);
    expect((await t.http.get('/files').set(u.auth).expect(200)).body).toEqual([]);
    const usage = await t.app.get(BlobHolders).bytesOfOwner(u.id);
    expect(usage).toBe(0);
  });

  it("removes a deleted user's folders with the user", async () => {
    const u = await newUser(t.http, 'fx');
    await put(u, 'a/b/c.txt', 'c').expect(201);
    const admin = await t.http.post('/login').send({ username: 'admin', password: 'admin-password-1' }).expect(200);
    await t.http.delete(`/user/${u.username}`).set('Authorization', `Bearer ${admin.body.token}`).expect(200);
    const left = await t.app.get(DataSource).createQueryBuilder().select('COUNT(*)', 'n').from('folders', 'f').where('f.owner_id = :id', { id: u.id }).getRawOne<{ n: number | string }>();
    expect(Number(left?.n)).toBe(0);
  });

  it('GET /files/{folder}/versions is the file named "versions" in that folder', async () => {
    const u = await newUser(t.http, 'fv');
    await put(u, 'f/versions', 'i am a file').expect(201);
    await put(u, 'f/id', 'me too').expect(201);
    expect((await t.http.get('/files/f/versions').set(u.auth).expect(200)).text).toBe('i am a file');
    expect((await t.http.get('/files/f/id').set(u.auth).expect(200)).text).toBe('me too');
    expect((await t.http.get('/files/f/versions/versions').set(u.auth).expect(200)).body).toHaveLength(1);
    await t.http.get('/files/nothing/versions').set(u.auth).expect(404);
  });
});
