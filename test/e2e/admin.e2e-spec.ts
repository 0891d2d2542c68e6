import { ADMIN, startTestApp, TestApp, uniqueName } from '../support/test-app';
import { login, loginAdmin, LoggedInUser, newUser } from '../support/users';

const NO_TOKEN = { error: 'Access Denied', message: 'No token header' };
const BAD_TOKEN = { error: 'Access Denied', message: 'Supplied token is invalid. Please sign in again' };

interface AdminUserItem {
  id: number;
  username: string;
  role: string;
  fileCount: number;
  bytesStored: number;
}

describe('Admin', () => {
  let t: TestApp;
  let admin: LoggedInUser;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http);
  });
  afterAll(() => t.close());

  describe('start-up admin', () => {
    it('is created from ADMIN_USERNAME/ADMIN_PASSWORD with the admin role, even though "admin" is reserved', async () => {
      const res = await t.http.get(`/user/${ADMIN.username}`).set(admin.auth).expect(200);
      expect(res.body).toMatchObject({ username: ADMIN.username, role: 'admin' });
    });

    it('is never overwritten at a restart with another ADMIN_PASSWORD', async () => {
      let changed = await startTestApp({ ADMIN_PASSWORD: 'first-admin-password' });
      try {
        const first = await login(changed.http, ADMIN.username, 'first-admin-password');
        await changed.http
          .put(`/user/${ADMIN.username}/password`)
          .set(first.auth)
          .send({ currentPassword: 'first-admin-password', newPassword: 'changed-by-hand' })
          .expect(204);
        changed = await changed.restart();
        await changed.http.post('/login').send({ username: ADMIN.username, password: 'first-admin-password' }).expect(403);
        await changed.http.post('/login').send({ username: ADMIN.username, password: 'changed-by-hand' }).expect(200);
      } finally {
        await changed.close();
      }
    });
  });

  describe('GET /admin/users', () => {
    it('answers 200 {items: [user view + fileCount, bytesStored, startupAdmin], total}', async () => {
      const alice = await newUser(t.http);
      const res = await t.http.get('/admin/users').query({ limit: 200 }).set(admin.auth).expect(200);
      expect(res.body).toEqual({ items: expect.any(Array), total: expect.any(Number) });
      const item = res.body.items.find((u: AdminUserItem) => u.username === alice.username);
      expect(item).toMatchObject({ id: alice.id, username: alice.username, role: 'user', fileCount: 0, bytesStored: 0, data: {}, startupAdmin: false });
      expect(item).toHaveProperty('blockLogin', false);
      // The start-up admin is marked, so that a console can say it is protected before anyone tries.
      expect(res.body.items.find((u: AdminUserItem) => u.username === admin.username)).toMatchObject({ role: 'admin', startupAdmin: true });
      expect(item).toHaveProperty('createdAt');
      expect(JSON.stringify(res.body)).not.toMatch(/passwordHash|password_hash|"password"|\$argon2/i);
    });

    it('pages with offset and limit over a stable order, total counting everything', async () => {
      for (let i = 0; i < 3; i++) await t.http.post('/register').send({ username: uniqueName('page'), password: 'password1' }).expect(204);
      const all = await t.http.get('/admin/users').query({ limit: 200 }).set(admin.auth).expect(200);
      expect(all.body.total).toBe(all.body.items.length);
      const page = await t.http.get('/admin/users').query({ offset: 1, limit: 2 }).set(admin.auth).expect(200);
      expect(page.body.total).toBe(all.body.total);
      expect(page.body.items.map((u: AdminUserItem) => u.id)).toEqual(all.body.items.slice(1, 3).map((u: AdminUserItem) => u.id));
      const past = await t.http.get('/admin/users').query({ offset: 10_000 }).set(admin.auth).expect(200);
      expect(past.body).toEqual({ items: [], total: all.body.total });
    });

    it('filters by q, a part of the username in any case, wildcards taken literally', async () => {
      const marker = uniqueName('Q').slice(0, 8);
      await t.http.post('/register').send({ username: `${marker}one`, password: 'password1' }).expect(204);
      await t.http.post('/register').send({ username: `x${marker}two`, password: 'password1' }).expect(204);
      const res = await t.http.get('/admin/users').query({ q: marker }).set(admin.auth).expect(200);
      expect(res.body.total).toBe(2);
      expect(res.body.items.map((u: AdminUserItem) => u.username).sort()).toEqual([`${marker}one`, `x${marker}two`].sort());
      const anyCase = await t.http.get('/admin/users').query({ q: marker.toLowerCase() }).set(admin.auth).expect(200);
      expect(anyCase.body.total).toBe(2);
      for (const wildcard of ['%', '_', '!', '\\']) {
        const none = await t.http.get('/admin/users').query({ q: wildcard }).set(admin.auth).expect(200);
        expect({ wildcard, total: none.body.total }).toEqual({ wildcard, total: 0 });
      }
    });

    it.each([
      ['limit=0', { limit: 0 }],
      ['limit=201', { limit: 201 }],
      ['offset=-1', { offset: -1 }],
      ['limit=abc', { limit: 'abc' }],
      ['offset=1.5', { offset: 1.5 }],
    ])('answers 400 {error} to bad paging (%s)', async (_why, query) => {
      const res = await t.http.get('/admin/users').query(query).set(admin.auth).expect(400);
      expect(res.body).toEqual({ error: expect.any(String) });
    });

    it('answers 403 to a user who is not an admin, 400 without a token, 401 with a bad one', async () => {
      const alice = await newUser(t.http);
      expect((await t.http.get('/admin/users').set(alice.auth).expect(403)).body).toEqual({ error: expect.any(String) });
      expect((await t.http.get('/admin/users').expect(400)).body).toEqual(NO_TOKEN);
      expect((await t.http.get('/admin/users').set('X-Session', 'bad').expect(401)).body).toEqual(BAD_TOKEN);
    });
  });

  describe('PATCH /admin/users/{username}', () => {
    it('makes a user an admin, who can then use the admin routes; and back', async () => {
      const alice = await newUser(t.http);
      await t.http.get('/admin/users').set(alice.auth).expect(403);
      const res = await t.http.patch(`/admin/users/${alice.username}`).set(admin.auth).send({ role: 'admin' }).expect(200);
      expect(res.body).toMatchObject({ username: alice.username, role: 'admin' });
      await t.http.get('/admin/users').set(alice.auth).expect(200);
      await t.http.patch(`/admin/users/${alice.username}`).set(admin.auth).send({ role: 'user' }).expect(200);
      await t.http.get('/admin/users').set(alice.auth).expect(403);
    });

    it('blocks a user: their sessions end and their login answers 403 with the reason', async () => {
      const alice = await newUser(t.http);
      const res = await t.http.patch(`/admin/users/${alice.username}`).set(admin.auth).send({ blockLogin: true, blockLoginReason: 'spam' }).expect(200);
      expect(res.body).toMatchObject({ blockLogin: true, blockLoginReason: 'spam' });
      expect((await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(401)).body).toEqual(BAD_TOKEN);
      // Storage routes (the web page's) say why the session ended.
      expect((await t.http.get('/files').set(alice.auth).expect(403)).body).toEqual({ error: 'Login blocked: spam' });
      const denied = await t.http.post('/login').send({ username: alice.username, password: alice.password }).expect(403);
      expect(denied.body.error).toContain('spam');
      await t.http.patch(`/admin/users/${alice.username}`).set(admin.auth).send({ blockLogin: false, blockLoginReason: null }).expect(200);
      await t.http.post('/login').send({ username: alice.username, password: alice.password }).expect(200);
    });

    it('sets and clears a storage quota (bytes, null = unlimited)', async () => {
      const alice = await newUser(t.http);
      const set = await t.http.patch(`/admin/users/${alice.username}`).set(admin.auth).send({ storageQuota: 10 * 1024 ** 3 }).expect(200);
      expect(set.body.storageQuota).toBe(10 * 1024 ** 3);
      const cleared = await t.http.patch(`/admin/users/${alice.username}`).set(admin.auth).send({ storageQuota: null }).expect(200);
      expect(cleared.body.storageQuota).toBeNull();
    });

    it('sets changePasswordOnFirstLogin, which gates the next session', async () => {
      const alice = await newUser(t.http);
      await t.http.patch(`/admin/users/${alice.username}`).set(admin.auth).send({ changePasswordOnFirstLogin: true }).expect(200);
      expect((await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(403)).body).toEqual({ error: 'Password change required' });
      await t.http.put(`/user/${alice.username}/password`).set(alice.auth).send({ currentPassword: alice.password, newPassword: 'changed-password' }).expect(204);
      await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(200);
    });

    it('leaves the fields it is not given as they were', async () => {
      const alice = await newUser(t.http);
      await t.http.patch(`/admin/users/${alice.username}`).set(admin.auth).send({ storageQuota: 100 }).expect(200);
      const res = await t.http.patch(`/admin/users/${alice.username}`).set(admin.auth).send({ changePasswordOnFirstLogin: false }).expect(200);
      expect(res.body).toMatchObject({ storageQuota: 100, role: 'user', blockLogin: false });
    });

    it.each([
      ['an unknown role', { role: 'god' }],
      ['a negative quota', { storageQuota: -1 }],
      ['a fractional quota', { storageQuota: 1.5 }],
      ['a quota as text', { storageQuota: '100' }],
      ['blockLogin as text', { blockLogin: 'yes' }],
    ])('answers 400 {error} to %s', async (_why, body) => {
      const alice = await newUser(t.http);
      const res = await t.http.patch(`/admin/users/${alice.username}`).set(admin.auth).send(body).expect(400);
      expect(res.body).toEqual({ error: expect.any(String) });
    });

    it('refuses to let an admin block or demote themselves', async () => {
      await t.http.patch(`/admin/users/${ADMIN.username}`).set(admin.auth).send({ blockLogin: true }).expect(400);
      await t.http.patch(`/admin/users/${ADMIN.username}`).set(admin.auth).send({ role: 'user' }).expect(400);
      await t.http.get('/admin/users').set(admin.auth).expect(200);
    });

    it('answers 404 {error: "User with username <u> does not exist"} for an unknown user', async () => {
      const res = await t.http.patch('/admin/users/nobodyhere').set(admin.auth).send({ blockLogin: true }).expect(404);
      expect(res.body).toEqual({ error: 'User with username nobodyhere does not exist' });
    });

    it('answers 403 to a user who is not an admin, who cannot promote themselves', async () => {
      const alice = await newUser(t.http);
      await t.http.patch(`/admin/users/${alice.username}`).set(alice.auth).send({ role: 'admin' }).expect(403);
      const res = await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(200);
      expect(res.body.role).toBe('user');
    });
  });

  describe('DELETE /admin/users/{username}/sessions', () => {
    it("ends all of the user's sessions: 204", async () => {
      const alice = await newUser(t.http);
      const other = await login(t.http, alice.username, alice.password);
      await t.http.delete(`/admin/users/${alice.username}/sessions`).set(admin.auth).expect(204);
      await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(401);
      await t.http.get(`/user/${alice.username}`).set(other.auth).expect(401);
      // Not blocked: the user can log in again.
      await login(t.http, alice.username, alice.password);
    });

    it('answers 404 for an unknown user', async () => {
      const res = await t.http.delete('/admin/users/nobodyhere/sessions').set(admin.auth).expect(404);
      expect(res.body).toEqual({ error: 'User with username nobodyhere does not exist' });
    });

    it('answers 403 to a user who is not an admin', async () => {
      const alice = await newUser(t.http);
      const bob = await newUser(t.http);
      await t.http.delete(`/admin/users/${bob.username}/sessions`).set(alice.auth).expect(403);
      await t.http.get(`/user/${bob.username}`).set(bob.auth).expect(200);
    });
  });
});
