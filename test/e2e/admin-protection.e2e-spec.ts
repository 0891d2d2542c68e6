import { ADMIN, startTestApp, TestApp } from '../support/test-app';
import { login, loginAdmin, LoggedInUser, newUser } from '../support/users';

async function promote(t: TestApp, by: LoggedInUser, username: string): Promise<void> {
  await t.http.patch(`/admin/users/${username}`).set(by.auth).send({ role: 'admin' }).expect(200);
}

/** CONTRACT §11: the start-up admin and the last admin cannot be deleted, demoted or blocked, by anyone. */
describe('protected admins', () => {
  describe('the start-up admin (ADMIN_USERNAME)', () => {
    let t: TestApp;
    let boss: LoggedInUser;
    let second: LoggedInUser;
    beforeAll(async () => {
      t = await startTestApp();
      boss = await loginAdmin(t.http);
      second = await newUser(t.http, 'adm');
      await promote(t, boss, second.username);
      second = await login(t.http, second.username, second.password);
    });
    afterAll(() => t.close());

    it.each([
      ['demoted', { role: 'user' }],
      ['blocked', { blockLogin: true, blockLoginReason: 'coup' }],
    ])('cannot be %s by a second admin: 409 {error}', async (_label, body) => {
      const res = await t.http.patch(`/admin/users/${ADMIN.username}`).set(second.auth).send(body).expect(409);
      expect(res.body.error).toMatch(/start-up admin/);
      const view = await t.http.get(`/user/${ADMIN.username}`).set(boss.auth).expect(200);
      expect(view.body).toMatchObject({ role: 'admin', blockLogin: false });
    });

    it('cannot be deleted by a second admin, alone or in a list: 409, and nobody in the list is deleted', async () => {
      await t.http.delete(`/user/${ADMIN.username}`).set(second.auth).expect(409);
      const victim = await newUser(t.http, 'bystander');
      await t.http.delete('/users').set(second.auth).send({ usersToDelete: [victim.username, ADMIN.username] }).expect(409);
      await t.http.get(`/user/${victim.username}`).set(boss.auth).expect(200);
      await t.http.get(`/user/${ADMIN.username}`).set(boss.auth).expect(200);
    });

    it('cannot delete itself', async () => {
      await t.http.delete(`/user/${ADMIN.username}`).set(boss.auth).expect(409);
      await login(t.http, ADMIN.username, ADMIN.password);
    });

    it('while a second admin can be demoted, blocked and deleted by it', async () => {
      const third = await newUser(t.http, 'adm');
      await promote(t, boss, third.username);
      await t.http.patch(`/admin/users/${third.username}`).set(boss.auth).send({ blockLogin: true }).expect(200);
      await t.http.patch(`/admin/users/${third.username}`).set(boss.auth).send({ blockLogin: false, role: 'user' }).expect(200);
      await t.http.delete(`/user/${third.username}`).set(boss.auth).expect(200);
    });
  });

  describe('the last admin (no start-up admin configured)', () => {
    let t: TestApp;
    let first: LoggedInUser;
    let other: LoggedInUser;
    beforeAll(async () => {
      // The start-up admin promotes two users; then the server runs without ADMIN_USERNAME.
      const seeded = await startTestApp();
      first = await newUser(seeded.http, 'first');
      other = await newUser(seeded.http, 'other');
      const boss = await loginAdmin(seeded.http);
      await promote(seeded, boss, first.username);
      await promote(seeded, boss, other.username);
      t = await seeded.restart({ ADMIN_USERNAME: undefined, ADMIN_PASSWORD: undefined });
      first = await login(t.http, first.username, first.password);
    });
    afterAll(() => t.close());

    it('admins may demote each other while another admin who can sign in remains', async () => {
      // Three admins: "admin" (no longer the start-up admin), first and other. other is demoted.
      await t.http.patch(`/admin/users/${other.username}`).set(first.auth).send({ role: 'user' }).expect(200);
    });

    it('the last admin who can sign in cannot delete or block itself, nor be demoted', async () => {
      const restarted = t;
      const admins = await restarted.http.get('/admin/users').query({ limit: 200 }).set(first.auth).expect(200);
      const active = (admins.body.items as { username: string; role: string; blockLogin: boolean }[]).filter((u) => u.role === 'admin' && !u.blockLogin);
      expect(active.map((u) => u.username).sort()).toEqual([ADMIN.username, first.username].sort());
      // "admin" is no longer protected as the start-up admin once ADMIN_USERNAME is unset: block it.
      await restarted.http.patch(`/admin/users/${ADMIN.username}`).set(first.auth).send({ blockLogin: true }).expect(200);
      // first is now the last admin who can sign in.
      const last = await restarted.http.delete(`/user/${first.username}`).set(first.auth).expect(409);
      expect(last.body.error).toMatch(/last admin/);
      await restarted.http.patch(`/admin/users/${first.username}`).set(first.auth).send({ role: 'user' }).expect(400);
      await restarted.http.delete('/users').set(first.auth).send({ usersToDelete: [first.username] }).expect(409);
      await restarted.http.get(`/user/${first.username}`).set(first.auth).expect(200);
    });
  });
});

