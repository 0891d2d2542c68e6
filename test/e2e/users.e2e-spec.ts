import { DataSource } from 'typeorm';
import { ADMIN, startTestApp, TestApp, uniqueName } from '../support/test-app';
import { login, loginAdmin, LoggedInUser, newUser } from '../support/users';

const NO_TOKEN = { error: 'Access Denied', message: 'No token header' };
const BAD_TOKEN = { error: 'Access Denied', message: 'Supplied token is invalid. Please sign in again' };
const PASSWORD_CHANGE_REQUIRED = { error: 'Password change required' };

const USER_VIEW_KEYS = [
  'blockLogin',
  'blockLoginReason',
  'changePasswordOnFirstLogin',
  'createdAt',
  'data',
  'email',
  'fname',
  'id',
  'lname',
  'role',
  'username',
];

/** Anything that looks like a password or its hash, anywhere in a JSON body. */
function leaksSecret(body: unknown, password: string): boolean {
  const text = JSON.stringify(body ?? null);
  return /password_?hash|"password"\s*:|\$argon2/i.test(text) || text.includes(password);
}

describe('Users', () => {
  let t: TestApp;
  let admin: LoggedInUser;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http);
  });
  afterAll(() => t.close());

  describe('GET /', () => {
    it('answers 200 {message: "Hello World"} without a session', async () => {
      const res = await t.http.get('/').expect(200);
      expect(res.body).toEqual({ message: 'Hello World' });
    });

    it('answers Hello World to an invalid or ended token instead of failing', async () => {
      await t.http.get('/').set('Authorization', 'Bearer nope').expect(200, { message: 'Hello World' });
      const alice = await newUser(t.http);
      await t.http.delete('/auth').set(alice.auth).expect(204);
      await t.http.get('/').set(alice.auth).expect(200, { message: 'Hello World' });
    });

    it("answers the caller's user view (id, username, data, profile) with a valid session", async () => {
      const username = uniqueName('home');
      await t.http.post('/user').send({ username, password: 'password1', phone: '555-0100', fname: 'Ada' }).expect(201);
      const me = await login(t.http, username, 'password1');
      const res = await t.http.get('/').set(me.auth).expect(200);
      expect(res.body).toMatchObject({ id: me.id, username, data: { phone: '555-0100', fname: 'Ada' }, fname: 'Ada' });
      expect(leaksSecret(res.body, 'password1')).toBe(false);
    });

    it('redirects a browser (Accept prefers text/html) to /app/ with 302', async () => {
      const res = await t.http.get('/').set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8').expect(302);
      expect(res.headers.location).toBe('/app/');
    });

    it('answers JSON to a client that accepts anything', async () => {
      await t.http.get('/').set('Accept', '*/*').expect(200, { message: 'Hello World' });
      await t.http.get('/').set('Accept', 'application/json').expect(200, { message: 'Hello World' });
    });
  });

  describe('POST /user', () => {
    it('creates the user (201 user view) and keeps the other members as data', async () => {
      const username = uniqueName('su');
      const res = await t.http
        .post('/user')
        .send({ username, password: 'password1', email: 'a@example.com', address: { city: 'Paris' }, tags: ['x'] })
        .expect(201);
      expect(Object.keys(res.body).sort()).toEqual(expect.arrayContaining(USER_VIEW_KEYS));
      expect(res.body).toMatchObject({
        id: expect.any(Number),
        username,
        role: 'user',
        email: 'a@example.com',
        blockLogin: false,
        changePasswordOnFirstLogin: false,
        data: { email: 'a@example.com', address: { city: 'Paris' }, tags: ['x'] },
      });
      expect(res.body.data).not.toHaveProperty('password');
      expect(res.body.data).not.toHaveProperty('username');
      expect(leaksSecret(res.body, 'password1')).toBe(false);
      await t.http.post('/auth').send({ username, password: 'password1' }).expect(200);
    });

    it('gives each user its own numeric id', async () => {
      const a = await t.http.post('/user').send({ username: uniqueName(), password: 'password1' }).expect(201);
      const b = await t.http.post('/user').send({ username: uniqueName(), password: 'password1' }).expect(201);
      expect(Number.isInteger(a.body.id)).toBe(true);
      expect(b.body.id).not.toBe(a.body.id);
    });

    it('answers 409 {error} when the name is taken', async () => {
      const username = uniqueName('taken');
      await t.http.post('/user').send({ username, password: 'password1' }).expect(201);
      const res = await t.http.post('/user').send({ username, password: 'password2' }).expect(409);
      expect(res.body).toEqual({ error: expect.any(String) });
    });

    it.each([
      ['an invalid username', { username: 'no way', password: 'password1' }],
      ['a short password', { username: 'validname1', password: 'short' }],
      ['no password', { username: 'validname2' }],
      ['no username', { password: 'password1' }],
    ])('answers 400 {error} to %s', async (_why, body) => {
      const res = await t.http.post('/user').send(body).expect(400);
      expect(res.body).toEqual({ error: expect.any(String) });
    });

    it.each(['admin', 'Admin', 'root', 'ROOT', 'System', 'docs'])('answers 400 to the reserved name %s', async (username) => {
      const res = await t.http.post('/user').send({ username, password: 'password1' }).expect(400);
      expect(res.body).toEqual({ error: expect.any(String) });
    });

    it('answers 400 to a JSON body that is not an object', async () => {
      await t.http.post('/user').send(['a', 'b']).expect(400);
      await t.http.post('/user').set('Content-Type', 'application/json').send('"text"').expect(400);
    });

    it('accepts data just under 64 KiB and refuses data over it with 400', async () => {
      const fits = await t.http
        .post('/user')
        .send({ username: uniqueName('big'), password: 'password1', blob: 'x'.repeat(60 * 1024) })
        .expect(201);
      expect(fits.body.data.blob).toHaveLength(60 * 1024);
      const res = await t.http
        .post('/user')
        .send({ username: uniqueName('big'), password: 'password1', blob: 'x'.repeat(64 * 1024) })
        .expect(400);
      expect(res.body.error).toMatch(/64 KiB/);
    });

    it('reads a JSON body sent as text/plain', async () => {
      const username = uniqueName('plain');
      await t.http.post('/user').set('Content-Type', 'text/plain').send(JSON.stringify({ username, password: 'password1', x: 1 })).expect(201);
    });
  });

  describe('GET /user/{username}', () => {
    it('answers 200 with the own user view and nothing secret', async () => {
      const alice = await newUser(t.http);
      const res = await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(200);
      expect(res.body).toMatchObject({ id: alice.id, username: alice.username, role: 'user', data: {} });
      for (const key of USER_VIEW_KEYS) expect(res.body).toHaveProperty(key);
      expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);
      expect(leaksSecret(res.body, alice.password)).toBe(false);
    });

    it("answers 403 for another user's name, and the same for a name nobody holds (no existence leak)", async () => {
      const alice = await newUser(t.http);
      const bob = await newUser(t.http);
      const existing = await t.http.get(`/user/${bob.username}`).set(alice.auth).expect(403);
      const missing = await t.http.get(`/user/${uniqueName('nobody')}`).set(alice.auth).expect(403);
      expect(existing.body).toEqual({ error: expect.any(String) });
      expect(missing.body).toEqual(existing.body);
    });

    it("lets an admin read anyone's account", async () => {
      const alice = await newUser(t.http);
      const res = await t.http.get(`/user/${alice.username}`).set(admin.auth).expect(200);
      expect(res.body.username).toBe(alice.username);
    });

    it('answers an admin 404 {error: "User with username <u> does not exist"} for an unknown name', async () => {
      const res = await t.http.get('/user/nobodyhere').set(admin.auth).expect(404);
      expect(res.body).toEqual({ error: 'User with username nobodyhere does not exist' });
    });

    it('answers 400 without a token and 401 with a bad token', async () => {
      const alice = await newUser(t.http);
      expect((await t.http.get(`/user/${alice.username}`).expect(400)).body).toEqual(NO_TOKEN);
      expect((await t.http.get(`/user/${alice.username}`).set('token', 'x').expect(401)).body).toEqual(BAD_TOKEN);
    });
  });

  describe('PUT /user/{username}', () => {
    it('replaces data and updates the given profile fields: 200 user view', async () => {
      const username = uniqueName('up');
      await t.http.post('/user').send({ username, password: 'password1', old: true, fname: 'Old' }).expect(201);
      const me = await login(t.http, username, 'password1');
      const res = await t.http.put(`/user/${username}`).set(me.auth).send({ phone: '123', lname: 'New' }).expect(200);
      expect(res.body).toMatchObject({ username, data: { phone: '123', lname: 'New' }, lname: 'New', fname: 'Old' });
      expect(res.body.data).not.toHaveProperty('old');
      const read = await t.http.get(`/user/${username}`).set(me.auth).expect(200);
      expect(read.body.data).toEqual({ phone: '123', lname: 'New' });
    });

    it('answers 400 when the body tries to change the password', async () => {
      const alice = await newUser(t.http);
      const res = await t.http.put(`/user/${alice.username}`).set(alice.auth).send({ password: 'another-password' }).expect(400);
      expect(res.body).toEqual({ error: expect.any(String) });
      await t.http.post('/auth').send({ username: alice.username, password: alice.password }).expect(200);
    });

    it('answers 400 when the body tries to change the username, and accepts the same name', async () => {
      const alice = await newUser(t.http);
      await t.http.put(`/user/${alice.username}`).set(alice.auth).send({ username: 'someoneelse' }).expect(400);
      await t.http.put(`/user/${alice.username}`).set(alice.auth).send({ username: alice.username, a: 1 }).expect(200);
    });

    it('answers 400 to data over 64 KiB and to a profile field of the wrong type', async () => {
      const alice = await newUser(t.http);
      await t.http.put(`/user/${alice.username}`).set(alice.auth).send({ blob: 'x'.repeat(64 * 1024) }).expect(400);
      await t.http.put(`/user/${alice.username}`).set(alice.auth).send({ email: 42 }).expect(400);
    });

    it("answers 403 for another user's account, which stays unchanged", async () => {
      const alice = await newUser(t.http);
      const bob = await newUser(t.http);
      await t.http.put(`/user/${bob.username}`).set(alice.auth).send({ hacked: true }).expect(403);
      const res = await t.http.get(`/user/${bob.username}`).set(bob.auth).expect(200);
      expect(res.body.data).toEqual({});
    });

    it("lets an admin change anyone's data; unknown names are 404", async () => {
      const alice = await newUser(t.http);
      await t.http.put(`/user/${alice.username}`).set(admin.auth).send({ note: 'by admin' }).expect(200);
      const res = await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(200);
      expect(res.body.data).toEqual({ note: 'by admin' });
      const missing = await t.http.put('/user/nobodyhere').set(admin.auth).send({ a: 1 }).expect(404);
      expect(missing.body).toEqual({ error: 'User with username nobodyhere does not exist' });
    });

    it('answers 400 without a token', async () => {
      expect((await t.http.put('/user/whoever').send({}).expect(400)).body).toEqual(NO_TOKEN);
    });
  });

  describe('DELETE /user/{username}', () => {
    it('deletes the own account: 200 {message}, the token and login stop working', async () => {
      const alice = await newUser(t.http);
      const res = await t.http.delete(`/user/${alice.username}`).set(alice.auth).expect(200);
      expect(res.body).toEqual({ message: `User ${alice.username} has been deleted` });
      await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(401);
      await t.http.post('/login').send({ username: alice.username, password: alice.password }).expect(403);
      await t.http.get(`/user/${alice.username}`).set(admin.auth).expect(404);
    });

    it("answers 403 for another user's account, which survives", async () => {
      const alice = await newUser(t.http);
      const bob = await newUser(t.http);
      const res = await t.http.delete(`/user/${bob.username}`).set(alice.auth).expect(403);
      expect(res.body).toEqual({ error: expect.any(String) });
      await t.http.get(`/user/${bob.username}`).set(bob.auth).expect(200);
      await t.http.delete(`/user/${uniqueName('nobody')}`).set(alice.auth).expect(403);
    });

    it('lets an admin delete anyone; an unknown name is 404 {message: "User <u> does not exist"}', async () => {
      const alice = await newUser(t.http);
      await t.http.delete(`/user/${alice.username}`).set(admin.auth).expect(200, { message: `User ${alice.username} has been deleted` });
      const res = await t.http.delete('/user/nobodyhere').set(admin.auth).expect(404);
      expect(res.body).toEqual({ message: 'User nobodyhere does not exist' });
    });

    it('answers 400 without a token', async () => {
      expect((await t.http.delete('/user/whoever').expect(400)).body).toEqual(NO_TOKEN);
    });
  });

  describe('POST /user/{username}', () => {
    it('lets an admin create a user with a password: 201 {message}', async () => {
      const username = uniqueName('made');
      const res = await t.http
        .post(`/user/${username}`)
        .set(admin.auth)
        .send({ username, password: 'given-password', autoGeneratePassword: false, email: 'm@example.com', fname: 'M', lname: 'N' })
        .expect(201);
      expect(res.body).toEqual({ message: `User ${username} was created successfully` });
      const me = await login(t.http, username, 'given-password');
      const view = await t.http.get(`/user/${username}`).set(me.auth).expect(200);
      expect(view.body).toMatchObject({ email: 'm@example.com', fname: 'M', lname: 'N', role: 'user' });
    });

    it('returns a generated password of 20+ characters once, and it logs in', async () => {
      const username = uniqueName('gen');
      const res = await t.http.post(`/user/${username}`).set(admin.auth).send({ username, autoGeneratePassword: true, email: 'g@example.com' }).expect(201);
      expect(res.body).toEqual({ message: `User ${username} was created successfully`, password: expect.any(String) });
      expect(res.body.password.length).toBeGreaterThanOrEqual(20);
      await t.http.post('/authenticate').send({ username, password: res.body.password }).expect(200);
    });

    it('generates a different password each time', async () => {
      const a = uniqueName('gen');
      const b = uniqueName('gen');
      const first = await t.http.post(`/user/${a}`).set(admin.auth).send({ username: a, autoGeneratePassword: true, email: 'g@example.com' }).expect(201);
      const second = await t.http.post(`/user/${b}`).set(admin.auth).send({ username: b, autoGeneratePassword: true, email: 'g@example.com' }).expect(201);
      expect(first.body.password).not.toBe(second.body.password);
    });

    it('answers 409 {error: "User <u> already exists"}', async () => {
      const alice = await newUser(t.http);
      const res = await t.http
        .post(`/user/${alice.username}`)
        .set(admin.auth)
        .send({ username: alice.username, autoGeneratePassword: true, email: 'x@example.com' })
        .expect(409);
      expect(res.body).toEqual({ error: `User ${alice.username} already exists` });
      await t.http.post('/auth').send({ username: alice.username, password: alice.password }).expect(200);
    });

    it.each(['admin', 'Admin', 'root', 'Root', 'system', 'api', 'app', 'docs', 'health', 'ab', 'bad-name', 'x'.repeat(21)])(
      'answers 409 {error: "Username <u> is not allowed"} for %s',
      async (username) => {
        const res = await t.http.post(`/user/${username}`).set(admin.auth).send({ username, autoGeneratePassword: true, email: 'x@example.com' }).expect(409);
        expect(res.body).toEqual({ error: `Username ${username} is not allowed` });
      },
    );

    it.each([
      ['no email', { autoGeneratePassword: true }],
      ['no autoGeneratePassword', { email: 'x@example.com', password: 'password1' }],
      ['autoGeneratePassword as a string', { autoGeneratePassword: 'yes', email: 'x@example.com' }],
      ['no password while autoGeneratePassword is false', { autoGeneratePassword: false, email: 'x@example.com' }],
      ['a password shorter than 8', { autoGeneratePassword: false, password: 'short', email: 'x@example.com' }],
      ['fname as a number', { autoGeneratePassword: true, email: 'x@example.com', fname: 3 }],
    ])('answers the S2 validation error with expectedSchema to %s', async (_why, body) => {
      const username = uniqueName('val');
      const res = await t.http.post(`/user/${username}`).set(admin.auth).send({ username, ...body }).expect(400);
      expect(res.body).toEqual({ error: 'JSON validation error', errorMessage: expect.any(String), expectedSchema: expect.any(Object) });
      expect(res.body.expectedSchema.required).toEqual(expect.arrayContaining(['username', 'autoGeneratePassword', 'email']));
      expect(res.body.expectedSchema.properties).toEqual(
        expect.objectContaining({
          username: expect.objectContaining({ type: 'string' }),
          password: expect.objectContaining({ type: 'string' }),
          autoGeneratePassword: expect.objectContaining({ type: 'boolean' }),
          changePasswordOnFirstLogin: expect.objectContaining({ type: 'boolean' }),
          fname: expect.objectContaining({ type: 'string' }),
          lname: expect.objectContaining({ type: 'string' }),
          blockLogin: expect.objectContaining({ type: 'boolean' }),
          blockLoginReason: expect.objectContaining({ type: 'string' }),
          email: expect.objectContaining({ type: 'string' }),
        }),
      );
      await t.http.get(`/user/${username}`).set(admin.auth).expect(404);
    });

    it('answers the S2 validation error when the path and body usernames differ', async () => {
      const path = uniqueName('path');
      const body = uniqueName('body');
      const res = await t.http.post(`/user/${path}`).set(admin.auth).send({ username: body, autoGeneratePassword: true, email: 'x@example.com' }).expect(400);
      expect(res.body).toEqual({ error: 'JSON validation error', errorMessage: expect.stringMatching(/match/), expectedSchema: expect.any(Object) });
      await t.http.get(`/user/${path}`).set(admin.auth).expect(404);
      await t.http.get(`/user/${body}`).set(admin.auth).expect(404);
    });

    it('answers 403 to a user who is not an admin, and 400/401 without a valid token', async () => {
      const alice = await newUser(t.http);
      const username = uniqueName('nope');
      const body = { username, autoGeneratePassword: true, email: 'x@example.com' };
      expect((await t.http.post(`/user/${username}`).set(alice.auth).send(body).expect(403)).body).toEqual({ error: expect.any(String) });
      expect((await t.http.post(`/user/${username}`).send(body).expect(400)).body).toEqual(NO_TOKEN);
      expect((await t.http.post(`/user/${username}`).set('token', 'bad').send(body).expect(401)).body).toEqual(BAD_TOKEN);
      await t.http.get(`/user/${username}`).set(admin.auth).expect(404);
    });

    it('creates a blocked user whose login answers 403 with the reason', async () => {
      const username = uniqueName('blk');
      const res = await t.http
        .post(`/user/${username}`)
        .set(admin.auth)
        .send({ username, autoGeneratePassword: true, email: 'b@example.com', blockLogin: true, blockLoginReason: 'on probation' })
        .expect(201);
      const login403 = await t.http.post('/login').send({ username, password: res.body.password }).expect(403);
      expect(login403.body.error).toContain('on probation');
    });
  });

  describe('changePasswordOnFirstLogin', () => {
    it('gives a session that can only change the password until it is changed', async () => {
      const username = uniqueName('first');
      const created = await t.http
        .post(`/user/${username}`)
        .set(admin.auth)
        .send({ username, autoGeneratePassword: true, changePasswordOnFirstLogin: true, email: 'f@example.com' })
        .expect(201);
      const me = await login(t.http, username, created.body.password);
      expect((await t.http.get(`/user/${username}`).set(me.auth).expect(403)).body).toEqual(PASSWORD_CHANGE_REQUIRED);
      // GET / (S1) reads the session but shows no profile until the password is changed (CONTRACT §2).
      expect((await t.http.get('/').set(me.auth).expect(403)).body).toEqual(PASSWORD_CHANGE_REQUIRED);
      expect((await t.http.put(`/user/${username}`).set(me.auth).send({ a: 1 }).expect(403)).body).toEqual(PASSWORD_CHANGE_REQUIRED);
      expect((await t.http.get('/auth/sessions').set(me.auth).expect(403)).body).toEqual(PASSWORD_CHANGE_REQUIRED);
      expect((await t.http.delete(`/user/${username}`).set(me.auth).expect(403)).body).toEqual(PASSWORD_CHANGE_REQUIRED);

      await t.http.put(`/user/${username}/password`).set(me.auth).send({ currentPassword: created.body.password, newPassword: 'my-own-password' }).expect(204);
      const view = await t.http.get(`/user/${username}`).set(me.auth).expect(200);
      expect(view.body.changePasswordOnFirstLogin).toBe(false);
      expect((await t.http.get('/').set(me.auth).expect(200)).body.username).toBe(username);
      await login(t.http, username, 'my-own-password');
    });
  });

  describe('PUT /user/{username}/password', () => {
    it('changes the password: 204, the old one stops working, the new one logs in', async () => {
      const alice = await newUser(t.http);
      await t.http.put(`/user/${alice.username}/password`).set(alice.auth).send({ currentPassword: alice.password, newPassword: 'brand-new-password' }).expect(204);
      await t.http.post('/login').send({ username: alice.username, password: alice.password }).expect(403);
      await t.http.post('/login').send({ username: alice.username, password: 'brand-new-password' }).expect(200);
    });

    it('ends the other sessions and keeps the current one', async () => {
      const alice = await newUser(t.http);
      const other = await login(t.http, alice.username, alice.password);
      await t.http.put(`/user/${alice.username}/password`).set(alice.auth).send({ currentPassword: alice.password, newPassword: 'brand-new-password' }).expect(204);
      await t.http.get(`/user/${alice.username}`).set(other.auth).expect(401);
      const sessions = await t.http.get('/auth/sessions').set(alice.auth).expect(200);
      expect(sessions.body).toHaveLength(1);
    });

    it('answers 403 to a wrong current password and changes nothing', async () => {
      const alice = await newUser(t.http);
      const res = await t.http.put(`/user/${alice.username}/password`).set(alice.auth).send({ currentPassword: 'not-it-at-all', newPassword: 'brand-new-password' }).expect(403);
      expect(res.body).toEqual({ error: expect.any(String) });
      await t.http.post('/login').send({ username: alice.username, password: alice.password }).expect(200);
    });

    it.each([
      ['a new password shorter than 8', { newPassword: 'short' }],
      ['a new password over 1024', { newPassword: 'p'.repeat(1025) }],
      ['no new password', {}],
    ])('answers 400 {error} to %s', async (_why, body) => {
      const alice = await newUser(t.http);
      const res = await t.http.put(`/user/${alice.username}/password`).set(alice.auth).send({ currentPassword: alice.password, ...body }).expect(400);
      expect(res.body).toEqual({ error: expect.any(String) });
    });

    it("answers 403 for another user's password, even to an admin", async () => {
      const alice = await newUser(t.http);
      const bob = await newUser(t.http);
      await t.http.put(`/user/${bob.username}/password`).set(alice.auth).send({ currentPassword: alice.password, newPassword: 'brand-new-password' }).expect(403);
      await t.http.put(`/user/${bob.username}/password`).set(admin.auth).send({ currentPassword: ADMIN.password, newPassword: 'brand-new-password' }).expect(403);
      await t.http.post('/login').send({ username: bob.username, password: bob.password }).expect(200);
    });

    it('answers 400 without a token', async () => {
      expect((await t.http.put('/user/whoever/password').send({}).expect(400)).body).toEqual(NO_TOKEN);
    });
  });

  describe('DELETE /users', () => {
    it('deletes the listed users: 200 {message, deletedUsers, doNotExist}', async () => {
      const alice = await newUser(t.http);
      const bob = await newUser(t.http);
      const ghost = uniqueName('ghost');
      const res = await t.http.delete('/users').set(admin.auth).send({ usersToDelete: [alice.username, ghost, bob.username] }).expect(200);
      expect(res.body).toEqual({ message: 'Successfully deleted 2', deletedUsers: [alice.username, bob.username], doNotExist: [ghost] });
      await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(401);
      await t.http.get(`/user/${bob.username}`).set(admin.auth).expect(404);
    });

    it('answers 200 with nothing deleted for an empty list', async () => {
      await t.http.delete('/users').set(admin.auth).send({ usersToDelete: [] }).expect(200, { message: 'Successfully deleted 0', deletedUsers: [], doNotExist: [] });
    });

    it.each([
      ['no usersToDelete', {}],
      ['usersToDelete as a string', { usersToDelete: 'alice' }],
      ['a non-string name', { usersToDelete: [1] }],
    ])('answers the S2 validation error with expectedSchema to %s', async (_why, body) => {
      const res = await t.http.delete('/users').set(admin.auth).send(body).expect(400);
      expect(res.body).toEqual({ error: 'JSON validation error', errorMessage: expect.any(String), expectedSchema: expect.any(Object) });
      expect(res.body.expectedSchema.required).toEqual(['usersToDelete']);
      expect(res.body.expectedSchema.properties.usersToDelete.type).toBe('array');
    });

    it('answers 403 to a user who is not an admin, and deletes nothing', async () => {
      const alice = await newUser(t.http);
      const bob = await newUser(t.http);
      await t.http.delete('/users').set(alice.auth).send({ usersToDelete: [bob.username] }).expect(403);
      await t.http.get(`/user/${bob.username}`).set(bob.auth).expect(200);
    });
  });

  describe('passwords at rest and in answers', () => {
    it('stores only argon2id hashes, never a password in clear', async () => {
      const alice = await newUser(t.http);
      const rows: { username: string; password_hash: string }[] = await t.app.get(DataSource).query('SELECT * FROM users');
      const row = rows.find((r) => r.username === alice.username);
      expect(row?.password_hash).toMatch(/^\$argon2id\$/);
      expect(JSON.stringify(rows)).not.toContain(alice.password);
      expect(JSON.stringify(rows)).not.toContain(ADMIN.password);
    });

    it('never shows a password or hash in any account answer', async () => {
      const username = uniqueName('leak');
      const password = 'leak-check-password';
      const answers = [
        await t.http.post('/user').send({ username, password }),
        await t.http.post('/login').send({ username, password }),
      ];
      const me = await login(t.http, username, password);
      answers.push(
        await t.http.get('/').set(me.auth),
        await t.http.get(`/user/${username}`).set(me.auth),
        await t.http.put(`/user/${username}`).set(me.auth).send({ a: 1 }),
        await t.http.get('/admin/users').set(admin.auth),
        await t.http.patch(`/admin/users/${username}`).set(admin.auth).send({ storageQuota: 5 }),
      );
      for (const res of answers) {
        expect(res.status).toBeLessThan(300);
        expect(JSON.stringify(res.body)).not.toMatch(/password_?hash|\$argon2/i);
        expect(JSON.stringify(res.body)).not.toContain(password);
      }
    });
  });
});
