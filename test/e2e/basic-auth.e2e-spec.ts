import { startTestApp, TestApp } from '../support/test-app';
import { LoggedInUser, loginAdmin, newUser } from '../support/users';

const basic = (username: string, secret: string) => ({ Authorization: `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}` });

/** CONTRACT §2: HTTP Basic with the account password or an app password. */
describe('HTTP Basic and app passwords', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_LOGIN_PAIR: '5/1m' });
  });
  afterAll(() => t.close());

  it('opens storage routes with the account password, remembers it, and forgets it on a password change', async () => {
    const u = await newUser(t.http, 'ba');
    await t.http.put('/files/b.txt').set(basic(u.username, u.password)).send('basic').expect(201);
    expect((await t.http.get('/files').set(basic(u.username, u.password)).expect(200)).body).toEqual(['b.txt']);
    await t.http.get('/files').set(basic(u.username, 'wrong-password')).expect(403);
    await t.http.put(`/user/${u.username}/password`).set(u.auth).send({ currentPassword: u.password, newPassword: 'a-new-password-1' }).expect(204);
    // The old password was remembered a moment ago: it must not work any more.
    await t.http.get('/files').set(basic(u.username, u.password)).expect(403);
    await t.http.get('/files').set(basic(u.username, 'a-new-password-1')).expect(200);
  });

  it('forgets a remembered credential when the user is blocked or deleted', async () => {
    const admin = await loginAdmin(t.http);
    const u = await newUser(t.http, 'bb');
    await t.http.get('/files').set(basic(u.username, u.password)).expect(200);
    await t.http.patch(`/admin/users/${u.username}`).set(admin.auth).send({ blockLogin: true }).expect(200);
    await t.http.get('/files').set(basic(u.username, u.password)).expect(403);
    await t.http.patch(`/admin/users/${u.username}`).set(admin.auth).send({ blockLogin: false }).expect(200);
    await t.http.get('/files').set(basic(u.username, u.password)).expect(200);
    await t.http.delete(`/user/${u.username}`).set(admin.auth).expect((res) => expect([200, 204]).toContain(res.status));
    await t.http.get('/files').set(basic(u.username, u.password)).expect(403);
  });

  it('counts failed Basic attempts as failed logins (429 with Retry-After)', async () => {
    const u = await newUser(t.http, 'bc');
    let last = 0;
    for (let i = 0; i < 8; i++) last = (await t.http.get('/files').set(basic(u.username, `guess-${i}-wrong`))).status;
    expect(last).toBe(429);
    const limited = await t.http.get('/files').set(basic(u.username, 'guess-again-wrong')).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it("past the limit answers 429 to the right password too, even one remembered from the user's own client", async () => {
    const u = await newUser(t.http, 'bo');
    // The user's client has used Basic: the password is remembered.
    await t.http.get('/files').set(basic(u.username, u.password)).expect(200);
    let last = 0;
    for (let i = 0; i < 8; i++) last = (await t.http.get('/files').set(basic(u.username, `guess-${i}-wrong`))).status;
    expect(last).toBe(429);
    // No oracle: the right password is refused like the wrong ones, until the window ends.
    const right = await t.http.get('/files').set(basic(u.username, u.password)).expect(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    await t.http.get('/files').set(basic(u.username, 'guess-again-wrong')).expect(429);
  });

  describe('app passwords', () => {
    let u: LoggedInUser;
    beforeAll(async () => {
      u = await newUser(t.http, 'bd');
    });

    it('are created (shown once), listed without the secret, used with Basic, and revoked', async () => {
      const created = await t.http.post('/auth/app-passwords').set(u.auth).send({ name: 'rclone' }).expect(201);
      expect(created.body).toMatchObject({ id: expect.any(Number), name: 'rclone', createdAt: expect.any(String) });
      expect(created.body.password.length).toBeGreaterThanOrEqual(32);
      const listed = await t.http.get('/auth/app-passwords').set(u.auth).expect(200);
      expect(listed.body).toEqual([{ id: created.body.id, name: 'rclone', createdAt: created.body.createdAt, lastUsedAt: null }]);
      expect(JSON.stringify(listed.body)).not.toContain(created.body.password);

      await t.http.put('/files/app.txt').set(basic(u.username, created.body.password)).send('via app password').expect(201);
      const used = await t.http.get('/auth/app-passwords').set(u.auth).expect(200);
      expect(used.body[0].lastUsedAt).toEqual(expect.any(String));
      // Another user's name with this app password opens nothing.
      const other = await newUser(t.http, 'be');
      await t.http.get('/files').set(basic(other.username, created.body.password)).expect(403);

      await t.http.delete(`/auth/app-passwords/${created.body.id}`).set(other.auth).expect(404);
      await t.http.delete(`/auth/app-passwords/${created.body.id}`).set(u.auth).expect(204);
      await t.http.get('/files').set(basic(u.username, created.body.password)).expect(403);
      await t.http.delete(`/auth/app-passwords/${created.body.id}`).set(u.auth).expect(404);
      await t.http.delete('/auth/app-passwords/abc').set(u.auth).expect(404);
    });

    it('reach files, WebDAV, tus, links and sounds, but no account route (403 with the reason)', async () => {
      const app = basic(u.username, (await t.http.post('/auth/app-passwords').set(u.auth).send({ name: 'phone' }).expect(201)).body.password as string);
      await t.http.put('/files/scope.txt').set(app).send('scoped').expect(201);
      await t.http.propfind('/dav/').set(app).set('Depth', '0').expect(207);
      await t.http.post('/uploads/').set(app).set('Tus-Resumable', '1.0.0').set('Upload-Length', '1').set('Upload-Metadata', `filename ${Buffer.from('t.txt').toString('base64')}`).expect(201);
      await t.http.post('/links').set(app).send({ path: 'scope.txt' }).expect(201);
      await t.http.get(`/user/${u.username}`).set(app).expect(200);
      const refused = [
        t.http.post('/auth/app-passwords').set(app).send({ name: 'successor' }),
        t.http.get('/auth/app-passwords').set(app),
        t.http.delete('/auth/app-passwords').set(app),
        t.http.get('/auth/sessions').set(app),
        t.http.delete('/auth/sessions').set(app),
        t.http.put(`/user/${u.username}/password`).set(app).send({ currentPassword: u.password, newPassword: 'another-password-9' }),
        t.http.put(`/user/${u.username}`).set(app).send({ fname: 'x' }),
        t.http.delete(`/user/${u.username}`).set(app),
      ];
      const answers = await Promise.all(refused);
      expect(answers.map((res) => res.status)).toEqual(refused.map(() => 403));
      for (const res of answers) expect(res.body.error).toMatch(/app password/);
      // An admin's app password opens no admin route either.
      const admin = await loginAdmin(t.http);
      const adminApp = basic(admin.username, (await t.http.post('/auth/app-passwords').set(admin.auth).send({ name: 'admin-phone' }).expect(201)).body.password as string);
      expect((await t.http.get('/admin/users').set(adminApp).expect(403)).body.error).toMatch(/app password/);
      await t.http.get('/files').set(adminApp).expect(200);
      // The account still works, and the password route revokes every app password at once.
      await t.http.delete('/auth/app-passwords').set(admin.auth).expect(204);
      await t.http.get('/files').set(adminApp).expect(403);
      expect((await t.http.get('/auth/app-passwords').set(admin.auth).expect(200)).body).toEqual([]);
    });

    it('fail like account routes without a credential, and refuse a bad name', async () => {
      await t.http.get('/auth/app-passwords').expect(400);
      await t.http.get('/auth/app-passwords').set('Authorization', 'Bearer nonsense').expect(401);
      await t.http.post('/auth/app-passwords').set(u.auth).send({ name: '' }).expect(400);
      await t.http.post('/auth/app-passwords').set(u.auth).send({}).expect(400);
    });

    it('end when the user is blocked', async () => {
      const admin = await loginAdmin(t.http);
      const v = await newUser(t.http, 'bf');
      const created = await t.http.post('/auth/app-passwords').set(v.auth).send({ name: 'phone' }).expect(201);
      await t.http.get('/files').set(basic(v.username, created.body.password)).expect(200);
      await t.http.patch(`/admin/users/${v.username}`).set(admin.auth).send({ blockLogin: true }).expect(200);
      await t.http.get('/files').set(basic(v.username, created.body.password)).expect(403);
    });
  });

  it('a Basic request has no session to end: logout answers and ends nothing', async () => {
    const u = await newUser(t.http, 'bg');
    await t.http.post('/logout').set(basic(u.username, u.password)).expect(200);
    await t.http.get('/files').set(u.auth).expect(200);
  });
});
