import { DataSource } from 'typeorm';
import { FilesRepository } from '../../src/files/files.repository';
import { TrashService } from '../../src/files/trash/trash.service';
import { loginAdmin, LoggedInUser, newUser } from '../support/users';
import { startTestApp, TestApp } from '../support/test-app';

/** CONTRACT §9: deleting puts files and folders in the trash; restore, delete for good, quota, retention. */
describe('trash', () => {
  let t: TestApp;
  let alice: LoggedInUser;
  let bob: LoggedInUser;
  beforeAll(async () => {
    t = await startTestApp();
    alice = await newUser(t.http, 'ta');
    bob = await newUser(t.http, 'tb');
  });
  afterAll(() => t.close());

  const put = (who: LoggedInUser, path: string, body: string) => t.http.put(`/files/${path}`).set(who.auth).set('Content-Type', 'text/plain').send(body);
  const trashOf = async (who: LoggedInUser) => (await t.http.get('/trash').set(who.auth).expect(200)).body as { id: number; path: string; type: string; size: number; deletedAt: string }[];
  const usage = async (who: LoggedInUser): Promise<{ bytesStored: number; fileCount: number }> => {
    const page = await t.http.get('/admin/users').set((await loginAdmin(t.http)).auth).query({ q: who.username }).expect(200);
    return (page.body.items as { username: string; bytesStored: number; fileCount: number }[]).find((u) => u.username === who.username)!;
  };
  const bytesStored = async (who: LoggedInUser): Promise<number> => (await usage(who)).bytesStored;
  const basic = (who: LoggedInUser) => ({ Authorization: `Basic ${Buffer.from(`${who.username}:${who.password}`).toString('base64')}` });

  it('a deleted file leaves every listing and path at once, keeps its bytes in the trash, and comes back with its versions and shares', async () => {
    await put(alice, 'notes/a.txt', 'one').expect(201);
    const second = await put(alice, 'notes/a.txt', 'two!').expect(201);
    await t.http.post('/share').set(alice.auth).send({ file_id: second.body.id, user_destination_id: bob.id }).expect(200);
    await t.http.delete('/files/notes/a.txt').set(alice.auth).expect(204);

    await t.http.get('/files/notes/a.txt').set(alice.auth).expect(404);
    expect((await t.http.get('/folders/notes').set(alice.auth).expect(200)).body.files).toEqual([]);
    // The share stops with it: the recipient can neither list nor download it.
    expect((await t.http.get('/files?include=shared').set(bob.auth).expect(200)).body).not.toContain('a.txt');
    await t.http.post('/download').set(bob.auth).send({ file_id: second.body.id }).expect(404);

    const [item] = (await trashOf(alice)).filter((i) => i.path === 'notes/a.txt');
    expect(item).toMatchObject({ type: 'file', size: 7 });
    expect(Date.parse(item.deletedAt)).toBeGreaterThan(Date.now() - 60_000);
    // Its name is free again while it sits in the trash.
    await put(alice, 'notes/a.txt', 'new').expect(201);
    await t.http.post(`/trash/${item.id}/restore`).set(alice.auth).send({}).expect(409);
    const restored = await t.http.post(`/trash/${item.id}/restore`).set(alice.auth).send({ to: 'notes/a (old).txt' }).expect(200);
    expect(restored.body).toEqual({ path: 'notes/a (old).txt' });
    expect((await t.http.get('/files/notes/a%20(old).txt').set(alice.auth).expect(200)).text).toBe('two!');
    const versions = await t.http.get('/files/notes/a%20(old).txt/versions').set(alice.auth).expect(200);
    expect(versions.body).toHaveLength(2);
    expect((await t.http.post('/download').set(bob.auth).send({ file_id: second.body.id }).expect(200)).text).toBe('two!');
    expect((await trashOf(alice)).map((i) => i.id)).not.toContain(item.id);
  });

  it('a folder goes whole and comes back whole at its old path, with missing parents made again', async () => {
    await put(alice, 'proj/src/main.ts', 'main').expect(201);
    await put(alice, 'proj/README', 'readme').expect(201);
    await t.http.delete('/folders/proj').set(alice.auth).expect(204);
    await t.http.get('/folders/proj').set(alice.auth).expect(404);
    const item = (await trashOf(alice)).find((i) => i.path === 'proj');
    expect(item).toMatchObject({ type: 'folder', size: 10 });
    // A new folder of that name meanwhile: restoring to the old path is refused, the item stays.
    await t.http.post('/folders/proj').set(alice.auth).expect(201);
    const refused = await t.http.post(`/trash/${item!.id}/restore`).set(alice.auth).send({}).expect(409);
    expect(refused.body.error).toEqual(expect.any(String));
    expect((await trashOf(alice)).map((i) => i.id)).toContain(item!.id);
    await t.http.delete('/folders/proj').set(alice.auth).expect(204);
    await t.http.post(`/trash/${item!.id}/restore`).set(alice.auth).send({ to: 'archive/2020/proj' }).expect(200);
    expect((await t.http.get('/files/archive/2020/proj/src/main.ts').set(alice.auth).expect(200)).text).toBe('main');
    expect((await t.http.get('/files/archive/2020/proj/README').set(alice.auth).expect(200)).text).toBe('readme');
  });

  it('a restore that loses its place to a concurrent upload answers 409 and leaves the item in the trash', async () => {
    await put(alice, 'race.txt', 'in the trash').expect(201);
    await t.http.delete('/files/race.txt').set(alice.auth).expect(204);
    const item = (await trashOf(alice)).find((i) => i.path === 'race.txt')!;
    // The upload lands between the restore's check and its move.
    const files = t.app.get(FilesRepository);
    const moveTo = files.moveTo.bind(files);
    jest.spyOn(files, 'moveTo').mockImplementationOnce(async (id, folderId, name) => {
      await put(alice, 'race.txt', 'won the race').expect(201);
      return moveTo(id, folderId, name);
    });
    await t.http.post(`/trash/${item.id}/restore`).set(alice.auth).send({}).expect(409);
    expect((await t.http.get('/files/race.txt').set(alice.auth).expect(200)).text).toBe('won the race');
    const back = (await trashOf(alice)).find((i) => i.path === 'race.txt')!;
    expect(back).toMatchObject({ type: 'file', size: 12 });
    await t.http.post(`/trash/${back.id}/restore`).set(alice.auth).send({ to: 'race (2).txt' }).expect(200);
    expect((await t.http.get('/files/race%20(2).txt').set(alice.auth).expect(200)).text).toBe('in the trash');
  });

  it('WebDAV DELETE and an overwriting MOVE put things in the trash too', async () => {
    await put(alice, 'dav/x.txt', 'dav-x').expect(201);
    await put(alice, 'dav/y.txt', 'dav-y').expect(201);
    await t.http.delete('/dav/dav/x.txt').set(basic(alice)).expect(204);
    await t.http.post('/move').set(alice.auth).send({ from: 'dav/y.txt', to: 'dav/z.txt' }).expect(200);
    await put(alice, 'dav/w.txt', 'dav-w').expect(201);
    await t.http.post('/move').set(alice.auth).send({ from: 'dav/w.txt', to: 'dav/z.txt', overwrite: true }).expect(200);
    const paths = (await trashOf(alice)).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['dav/x.txt', 'dav/z.txt']));
    const replaced = (await trashOf(alice)).find((i) => i.path === 'dav/z.txt')!;
    await t.http.delete('/files/dav/z.txt').set(alice.auth).expect(204);
    await t.http.post(`/trash/${replaced.id}/restore`).set(alice.auth).send({}).expect(200);
    expect((await t.http.get('/files/dav/z.txt').set(alice.auth).expect(200)).text).toBe('dav-y');
  });

  it('deletes one item or everything for good; others cannot see or touch it; bad ids are 404', async () => {
    const carol = await newUser(t.http, 'tc');
    await put(carol, 'a', 'aaaa').expect(201);
    await put(carol, 'b', 'bbbb').expect(201);
    await t.http.delete('/files/a').set(carol.auth).expect(204);
    await t.http.delete('/files/b').set(carol.auth).expect(204);
    const [b, a] = await trashOf(carol);
    expect([b.path, a.path]).toEqual(['b', 'a']);
    await t.http.get('/trash').expect(403);
    await t.http.delete(`/trash/${a.id}`).set(bob.auth).expect(404);
    await t.http.post(`/trash/${a.id}/restore`).set(bob.auth).send({}).expect(404);
    await t.http.delete('/trash/nope').set(carol.auth).expect(404);
    await t.http.post(`/trash/${a.id}/restore`).set(carol.auth).send({ to: '../x' }).expect(400);
    await t.http.post(`/trash/${a.id}/restore`).set(carol.auth).send({ to: 42 }).expect(400);
    await t.http.post(`/trash/${a.id}/restore`).set(carol.auth).send({ to: 'x'.repeat(5000) }).expect(400);
    await t.http.post(`/trash/${a.id}/restore`).send({}).expect(403);
    await t.http.delete('/trash').expect(403);
    await t.http.delete(`/trash/${a.id}`).set(carol.auth).expect(204);
    await t.http.delete(`/trash/${a.id}`).set(carol.auth).expect(404);
    expect((await trashOf(carol)).map((i) => i.path)).toEqual(['b']);
    await t.http.delete('/trash').set(carol.auth).expect(204);
    expect(await trashOf(carol)).toEqual([]);
    expect(await bytesStored(carol)).toBe(0);
  });

  it('trash counts toward the quota, and the oldest trash is purged when an upload needs the room', async () => {
    const dave = await newUser(t.http, 'td');
    const admin = await loginAdmin(t.http);
    await t.http.patch(`/admin/users/${dave.username}`).set(admin.auth).send({ storageQuota: 30 }).expect(200);
    await put(dave, 'old', '0123456789').expect(201);
    await put(dave, 'mid', '0123456789').expect(201);
    await put(dave, 'keep', '0123456789').expect(201);
    await put(dave, 'full', 'x').expect(507);
    await t.http.delete('/files/old').set(dave.auth).expect(204);
    await t.http.delete('/files/mid').set(dave.auth).expect(204);
    // Still full: trash counts toward the bytes, though not as files.
    expect(await usage(dave)).toMatchObject({ bytesStored: 30, fileCount: 1 });
    // Room for 5 bytes: the oldest item goes, the newer stays.
    await put(dave, 'new', '01234').expect(201);
    expect((await trashOf(dave)).map((i) => i.path)).toEqual(['mid']);
    // More than the trash can free: refused, and what was purged is gone anyway.
    await put(dave, 'huge', 'x'.repeat(40)).expect(507);
  });

  it('purges what is older than TRASH_RETENTION, and deleting the user takes the trash with everything else', async () => {
    const erin = await newUser(t.http, 'te');
    await put(erin, 'gone', 'g').expect(201);
    await put(erin, 'kept', 'k').expect(201);
    await t.http.delete('/files/gone').set(erin.auth).expect(204);
    const sweeper = t.app.get(TrashService);
    const day = 24 * 3600_000;
    await sweeper.sweep(Date.now() + 29 * day);
    expect((await trashOf(erin)).map((i) => i.path)).toEqual(['gone']);
    await t.http.delete('/files/kept').set(erin.auth).expect(204);
    // 31 days on, both are past the default 30 days.
    expect(await sweeper.sweep(Date.now() + 31 * day)).toBeGreaterThanOrEqual(2);
    expect(await trashOf(erin)).toEqual([]);

    const frank = await newUser(t.http, 'tf');
    await put(frank, 'f/one', '1').expect(201);
    await t.http.delete('/folders/f').set(frank.auth).expect(204);
    const admin = await loginAdmin(t.http);
    await t.http.delete(`/user/${frank.username}`).set(admin.auth).expect(200);
    const rows = await t.app.get(DataSource).query('SELECT COUNT(*) AS n FROM trash_items WHERE owner_id = ' + String(frank.id));
    expect(Number(rows[0].n)).toBe(0);
    const files = await t.app.get(DataSource).query('SELECT COUNT(*) AS n FROM files WHERE owner_id = ' + String(frank.id));
    expect(Number(files[0].n)).toBe(0);
  });
});
