import { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { sign } from 'jsonwebtoken';
import Redis from 'ioredis';
import request from 'supertest';
import { ADMIN, services, startTestApp, TestApp, uniqueName } from '../support/test-app';
import { login, loginAdmin, LoggedInUser, newUser } from '../support/users';

const NO_TOKEN = { error: 'Access Denied', message: 'No token header' };
const BAD_TOKEN = { error: 'Access Denied', message: 'Supplied token is invalid. Please sign in again' };

function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/** A request as a bare client sends it: `fetch` with a byte body sets no Content-Type at all. */
async function rawPost(t: TestApp, path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const { port } = (t.app.getHttpServer() as import('node:http').Server).address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body: Buffer.from(body), headers });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

function sessionCookie(res: request.Response): string {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = cookies.find((c) => c.startsWith('session='));
  if (!cookie) throw new Error(`no session cookie in ${JSON.stringify(cookies)}`);
  return cookie;
}

describe('Auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('POST /register', () => {
    it('registers a user: 204 with no body, and the user can log in', async () => {
      const username = uniqueName('reg');
      const res = await t.http.post('/register').send({ username, password: 'password1' }).expect(204);
      expect(res.text).toBe('');
      await t.http.post('/login').send({ username, password: 'password1' }).expect(200);
    });

    it('reads a JSON body sent with no Content-Type (S0 clients)', async () => {
      const username = uniqueName('raw');
      const res = await rawPost(t, '/register', JSON.stringify({ username, password: 'password1' }));
      expect(res.status).toBe(204);
      const loggedIn = await rawPost(t, '/login', JSON.stringify({ username, password: 'password1' }));
      expect(loggedIn.status).toBe(200);
      expect(loggedIn.body).toEqual(expect.objectContaining({ token: expect.any(String) }));
    });

    it('reads a JSON body sent as text/plain', async () => {
      const username = uniqueName('txt');
      await t.http.post('/register').set('Content-Type', 'text/plain').send(JSON.stringify({ username, password: 'password1' })).expect(204);
      await t.http.post('/login').set('Content-Type', 'text/plain').send(JSON.stringify({ username, password: 'password1' })).expect(200);
    });

    it.each([
      ['too short', 'ab'],
      ['too long', 'a'.repeat(21)],
      ['a space', 'has space'],
      ['a dash', 'bad-name'],
      ['an underscore', 'bad_name'],
      ['non-ASCII letters', 'ünïcode'],
      ['empty', ''],
    ])('refuses a username that is %s with 400 {error}', async (_why, username) => {
      const res = await t.http.post('/register').send({ username, password: 'password1' }).expect(400);
      expect(res.body).toEqual({ error: expect.any(String) });
    });

    it('refuses a username that is not a string', async () => {
      const res = await t.http.post('/register').send({ username: 12345, password: 'password1' }).expect(400);
      expect(res.body.error).toEqual(expect.any(String));
    });

    it('accepts names of exactly 3 and 20 characters', async () => {
      const three = uniqueName('').slice(0, 1) + 'Z9';
      await t.http.post('/register').send({ username: three, password: 'password1' }).expect(204);
      await t.http.post('/register').send({ username: uniqueName('twenty').padEnd(20, 'x'), password: 'password1' }).expect(204);
    });

    it.each([
      ['shorter than 8 characters', 'short7!'],
      ['longer than 1024 characters', 'p'.repeat(1025)],
    ])('refuses a password %s', async (_why, password) => {
      const res = await t.http.post('/register').send({ username: uniqueName(), password }).expect(400);
      expect(res.body.error).toMatch(/password/);
    });

    it('accepts passwords of exactly 8 and 1024 characters', async () => {
      await t.http.post('/register').send({ username: uniqueName(), password: '12345678' }).expect(204);
      const username = uniqueName();
      await t.http.post('/register').send({ username, password: 'p'.repeat(1024) }).expect(204);
      await t.http.post('/login').send({ username, password: 'p'.repeat(1024) }).expect(200);
    });

    it('refuses a missing body with 400', async () => {
      const res = await t.http.post('/register').expect(400);
      expect(res.body.error).toEqual(expect.any(String));
    });

    it('refuses a name that is taken with 400 {error}', async () => {
      const username = uniqueName('dup');
      await t.http.post('/register').send({ username, password: 'password1' }).expect(204);
      const res = await t.http.post('/register').send({ username, password: 'password2' }).expect(400);
      expect(res.body).toEqual({ error: expect.stringMatching(/taken/) });
      // The first owner keeps their password.
      await t.http.post('/login').send({ username, password: 'password1' }).expect(200);
    });

    it('compares names case-sensitively: "Bob…" and "bob…" are two users', async () => {
      const lower = uniqueName('case');
      const upper = lower.toUpperCase();
      await t.http.post('/register').send({ username: lower, password: 'password-lower' }).expect(204);
      await t.http.post('/register').send({ username: upper, password: 'password-upper' }).expect(204);
      await t.http.post('/login').send({ username: upper, password: 'password-lower' }).expect(403);
      await t.http.post('/login').send({ username: upper, password: 'password-upper' }).expect(200);
    });

    it.each(['admin', 'Admin', 'ADMIN', 'root', 'Root', 'system', 'api', 'app', 'docs', 'health'])('refuses the reserved name %s', async (username) => {
      const res = await t.http.post('/register').send({ username, password: 'password1' }).expect(400);
      expect(res.body).toEqual({ error: expect.any(String) });
    });
  });

  describe('POST /login', () => {
    it('answers 200 {token, expiresAt, message: "Welcome <u>"} and sets an HttpOnly SameSite=Lax session cookie', async () => {
      const username = uniqueName('li');
      await t.http.post('/register').send({ username, password: 'password1' }).expect(204);
      const res = await t.http.post('/login').send({ username, password: 'password1' }).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json; charset=utf-8/);
      expect(res.body).toEqual({ token: expect.any(String), expiresAt: expect.any(String), message: `Welcome ${username}` });
      const expiresIn = new Date(res.body.expiresAt).getTime() - Date.now();
      expect(expiresIn).toBeGreaterThan(23 * 3600_000);
      expect(expiresIn).toBeLessThanOrEqual(24 * 3600_000);
      const cookie = sessionCookie(res);
      expect(cookie).toContain(`session=${res.body.token}`);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      expect(cookie).toMatch(/Path=\//);
    });

    it('gives one message for a wrong password and an unknown user (403)', async () => {
      const alice = await newUser(t.http);
      const wrong = await t.http.post('/login').send({ username: alice.username, password: 'not-the-password' }).expect(403);
      const unknown = await t.http.post('/login').send({ username: uniqueName('ghost'), password: 'whatever1' }).expect(403);
      expect(wrong.body).toEqual({ error: expect.any(String) });
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.headers['set-cookie']).toBeUndefined();
    });

    it('answers 403 with the block reason for a blocked user', async () => {
      const admin = await loginAdmin(t.http);
      const bob = await newUser(t.http);
      await t.http.patch(`/admin/users/${bob.username}`).set(admin.auth).send({ blockLogin: true, blockLoginReason: 'unpaid invoice' }).expect(200);
      const res = await t.http.post('/login').send({ username: bob.username, password: bob.password }).expect(403);
      expect(res.body.error).toContain('unpaid invoice');
    });

    it('answers 400 {error} to a body that is not credentials', async () => {
      const res = await t.http.post('/login').send({ username: 'abc' }).expect(400);
      expect(res.body.error).toEqual(expect.any(String));
    });

    it('opens a new session on each login', async () => {
      const alice = await newUser(t.http);
      const second = await login(t.http, alice.username, alice.password);
      expect(second.token).not.toBe(alice.token);
      const sessions = await t.http.get('/auth/sessions').set(alice.auth).expect(200);
      expect(sessions.body).toHaveLength(2);
    });
  });

  describe('POST /logout', () => {
    it('answers 200 {message}, clears the cookie and ends the session', async () => {
      const alice = await newUser(t.http);
      const res = await t.http.post('/logout').set(alice.auth).expect(200);
      expect(res.body).toEqual({ message: `Successfully logged out from ${alice.username}` });
      const cookie = sessionCookie(res);
      expect(cookie).toMatch(/^session=;/);
      expect(cookie).toMatch(/Expires=Thu, 01 Jan 1970/);
      await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(401);
      const again = await t.http.post('/logout').set(alice.auth).expect(403);
      expect(again.body).toEqual({ error: expect.any(String) });
    });

    it('logs out the cookie session of a browser client', async () => {
      const alice = await newUser(t.http);
      const agent = request.agent(t.app.getHttpServer());
      await agent.post('/login').send({ username: alice.username, password: alice.password }).expect(200);
      await agent.get(`/user/${alice.username}`).expect(200);
      await agent.post('/logout').expect(200);
      // The agent dropped the cleared cookie: no credential at all now.
      await agent.get(`/user/${alice.username}`).expect(400);
    });

    it('answers 403 {error} without a token', async () => {
      const res = await t.http.post('/logout').expect(403);
      expect(res.body).toEqual({ error: expect.any(String) });
    });

    it('answers 403 {error} to a bad token', async () => {
      const res = await t.http.post('/logout').set(bearer('not.a.token')).expect(403);
      expect(res.body).toEqual({ error: expect.any(String) });
    });

    it("leaves the user's other sessions open", async () => {
      const alice = await newUser(t.http);
      const other = await login(t.http, alice.username, alice.password);
      await t.http.post('/logout').set(alice.auth).expect(200);
      await t.http.get(`/user/${alice.username}`).set(other.auth).expect(200);
    });
  });

  describe('POST /auth', () => {
    it('answers 200 {token, expiresAt} and sets the cookie', async () => {
      const alice = await newUser(t.http);
      const res = await t.http.post('/auth').send({ username: alice.username, password: alice.password }).expect(200);
      expect(res.body).toEqual({ token: expect.any(String), expiresAt: expect.any(String) });
      expect(Number.isNaN(Date.parse(res.body.expiresAt))).toBe(false);
      expect(sessionCookie(res)).toContain(res.body.token);
      await t.http.get(`/user/${alice.username}`).set(bearer(res.body.token)).expect(200);
    });

    it('answers 403 {error} to a wrong password or unknown user', async () => {
      const alice = await newUser(t.http);
      const res = await t.http.post('/auth').send({ username: alice.username, password: 'wrong-password' }).expect(403);
      expect(res.body).toEqual({ error: expect.any(String) });
      await t.http.post('/auth').send({ username: uniqueName('ghost'), password: 'wrong-password' }).expect(403);
    });
  });

  describe('DELETE /auth', () => {
    it('answers 204 and the token is refused afterwards with 401', async () => {
      const alice = await newUser(t.http);
      await t.http.delete('/auth').set(alice.auth).expect(204);
      const res = await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(401);
      expect(res.body).toEqual(BAD_TOKEN);
      const twice = await t.http.delete('/auth').set(alice.auth).expect(401);
      expect(twice.body).toEqual(BAD_TOKEN);
    });

    it('answers 400 {error: "Access Denied", message: "No token header"} without a token', async () => {
      const res = await t.http.delete('/auth').expect(400);
      expect(res.body).toEqual(NO_TOKEN);
    });

    it('answers 401 to a bad token', async () => {
      const res = await t.http.delete('/auth').set('token', 'garbage').expect(401);
      expect(res.body).toEqual(BAD_TOKEN);
    });
  });

  describe('POST /authenticate', () => {
    it('answers 200 {token, exp} with exp as an ISO-8601 string', async () => {
      const alice = await newUser(t.http);
      const res = await t.http.post('/authenticate').send({ username: alice.username, password: alice.password }).expect(200);
      expect(res.body).toEqual({ token: expect.any(String), exp: expect.any(String) });
      expect(new Date(res.body.exp).toISOString()).toBe(res.body.exp);
      await t.http.get(`/user/${alice.username}`).set('token', res.body.token).expect(200);
    });

    it('answers 404 {error: "User does not exist"} for an unknown user', async () => {
      const res = await t.http.post('/authenticate').send({ username: uniqueName('ghost'), password: 'password1' }).expect(404);
      expect(res.body).toEqual({ error: 'User does not exist' });
    });

    it('answers 403 {error: "Incorrect password"} for a wrong password', async () => {
      const alice = await newUser(t.http);
      const res = await t.http.post('/authenticate').send({ username: alice.username, password: 'wrong-password' }).expect(403);
      expect(res.body).toEqual({ error: 'Incorrect password' });
    });

    it('answers 403 with the reason for a blocked user', async () => {
      const admin = await loginAdmin(t.http);
      const bob = await newUser(t.http);
      await t.http.patch(`/admin/users/${bob.username}`).set(admin.auth).send({ blockLogin: true, blockLoginReason: 'abuse' }).expect(200);
      const res = await t.http.post('/authenticate').send({ username: bob.username, password: bob.password }).expect(403);
      expect(res.body.error).toContain('abuse');
    });

    it.each([
      ['a missing password', { username: 'someone' }],
      ['a numeric username', { username: 5, password: 'password1' }],
      ['an empty body', {}],
    ])('answers the S2 validation error with expectedSchema to %s', async (_why, body) => {
      const res = await t.http.post('/authenticate').send(body).expect(400);
      expect(res.body).toEqual({ error: 'JSON validation error', errorMessage: expect.any(String), expectedSchema: expect.any(Object) });
      expect(res.body.expectedSchema.required).toEqual(expect.arrayContaining(['username', 'password']));
      expect(res.body.expectedSchema.properties.username.type).toBe('string');
      expect(res.body.expectedSchema.properties.password.type).toBe('string');
    });

    it('answers the S2 validation error to a JSON array body', async () => {
      const res = await t.http.post('/authenticate').send([1, 2]).expect(400);
      expect(res.body.error).toBe('JSON validation error');
    });
  });

  describe('GET /auth/sessions', () => {
    it("lists the caller's open sessions, marking the current one", async () => {
      const alice = await newUser(t.http);
      const other = await login(t.http, alice.username, alice.password);
      const res = await t.http.get('/auth/sessions').set(alice.auth).set('User-Agent', 'jest-agent').expect(200);
      expect(res.body).toHaveLength(2);
      for (const session of res.body) {
        expect(session).toEqual({
          id: expect.any(String),
          createdAt: expect.any(String),
          expiresAt: expect.any(String),
          lastSeenAt: expect.any(String),
          userAgent: session.userAgent === null ? null : expect.any(String),
          ip: session.ip === null ? null : expect.any(String),
          current: expect.any(Boolean),
        });
      }
      expect(res.body.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
      const fromOther = await t.http.get('/auth/sessions').set(other.auth).expect(200);
      const currentHere = res.body.find((s: { current: boolean }) => s.current).id;
      const currentThere = fromOther.body.find((s: { current: boolean }) => s.current).id;
      expect(currentHere).not.toBe(currentThere);
    });

    it("never lists another user's sessions", async () => {
      const alice = await newUser(t.http);
      const bob = await newUser(t.http);
      const mine = await t.http.get('/auth/sessions').set(alice.auth).expect(200);
      const theirs = await t.http.get('/auth/sessions').set(bob.auth).expect(200);
      const ids = new Set(mine.body.map((s: { id: string }) => s.id));
      expect(theirs.body.some((s: { id: string }) => ids.has(s.id))).toBe(false);
    });

    it('answers 400 without a token and 401 with a bad one', async () => {
      expect((await t.http.get('/auth/sessions').expect(400)).body).toEqual(NO_TOKEN);
      expect((await t.http.get('/auth/sessions').set(bearer('x.y.z')).expect(401)).body).toEqual(BAD_TOKEN);
    });
  });

  describe('DELETE /auth/sessions/{id}', () => {
    async function sessionIdOf(user: LoggedInUser): Promise<string> {
      const res = await t.http.get('/auth/sessions').set(user.auth).expect(200);
      return res.body.find((s: { current: boolean }) => s.current).id;
    }

    it('ends that session of the caller (sign out that device): 204', async () => {
      const alice = await newUser(t.http);
      const phone = await login(t.http, alice.username, alice.password);
      await t.http.delete(`/auth/sessions/${encodeURIComponent(await sessionIdOf(phone))}`).set(alice.auth).expect(204);
      await t.http.get(`/user/${alice.username}`).set(phone.auth).expect(401);
      await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(200);
    });

    it('answers 404 for an unknown id', async () => {
      const alice = await newUser(t.http);
      const res = await t.http.delete('/auth/sessions/no-such-session').set(alice.auth).expect(404);
      expect(res.body).toEqual({ error: expect.any(String) });
    });

    it("answers 404 for another user's session, which stays open", async () => {
      const alice = await newUser(t.http);
      const bob = await newUser(t.http);
      await t.http.delete(`/auth/sessions/${encodeURIComponent(await sessionIdOf(bob))}`).set(alice.auth).expect(404);
      await t.http.get(`/user/${bob.username}`).set(bob.auth).expect(200);
    });

    it('answers 400 without a token', async () => {
      expect((await t.http.delete('/auth/sessions/whatever').expect(400)).body).toEqual(NO_TOKEN);
    });
  });

  describe('DELETE /auth/sessions', () => {
    it("ends all the caller's other sessions and keeps the current one", async () => {
      const alice = await newUser(t.http);
      const phone = await login(t.http, alice.username, alice.password);
      const laptop = await login(t.http, alice.username, alice.password);
      const bob = await newUser(t.http);
      await t.http.delete('/auth/sessions').set(alice.auth).expect(204);
      await t.http.get(`/user/${alice.username}`).set(phone.auth).expect(401);
      await t.http.get(`/user/${alice.username}`).set(laptop.auth).expect(401);
      await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(200);
      await t.http.get(`/user/${bob.username}`).set(bob.auth).expect(200);
      const left = await t.http.get('/auth/sessions').set(alice.auth).expect(200);
      expect(left.body).toHaveLength(1);
    });

    it('answers 400 without a token', async () => {
      expect((await t.http.delete('/auth/sessions').expect(400)).body).toEqual(NO_TOKEN);
    });
  });

  describe('credential carriers', () => {
    let alice: LoggedInUser;
    beforeAll(async () => {
      alice = await newUser(t.http);
    });

    it('accepts Authorization: Bearer', async () => {
      await t.http.get(`/user/${alice.username}`).set('Authorization', `Bearer ${alice.token}`).expect(200);
    });

    it('accepts X-Session (S0)', async () => {
      await t.http.get(`/user/${alice.username}`).set('X-Session', alice.token).expect(200);
    });

    it('accepts token (S2)', async () => {
      await t.http.get(`/user/${alice.username}`).set('token', alice.token).expect(200);
    });

    it('accepts the session cookie (S4, web page)', async () => {
      await t.http.get(`/user/${alice.username}`).set('Cookie', `session=${alice.token}`).expect(200);
    });

    it('refuses each carrier once the session has ended', async () => {
      const bob = await newUser(t.http);
      await t.http.delete('/auth').set(bob.auth).expect(204);
      for (const [name, value] of [
        ['Authorization', `Bearer ${bob.token}`],
        ['X-Session', bob.token],
        ['token', bob.token],
        ['Cookie', `session=${bob.token}`],
      ]) {
        const res = await t.http.get(`/user/${bob.username}`).set(name, value);
        expect({ carrier: name, status: res.status, body: res.body }).toEqual({ carrier: name, status: 401, body: BAD_TOKEN });
      }
    });
  });

  describe('failure shapes by route family', () => {
    it('account routes: no token 400, bad token 401, ended token 401', async () => {
      const alice = await newUser(t.http);
      expect((await t.http.get(`/user/${alice.username}`).expect(400)).body).toEqual(NO_TOKEN);
      expect((await t.http.get(`/user/${alice.username}`).set('X-Session', 'bad').expect(401)).body).toEqual(BAD_TOKEN);
      await t.http.post('/logout').set(alice.auth).expect(200);
      expect((await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(401)).body).toEqual(BAD_TOKEN);
      expect((await t.http.get('/admin/users').set(alice.auth).expect(401)).body).toEqual(BAD_TOKEN);
      expect((await t.http.delete('/users').send({ usersToDelete: [] }).expect(400)).body).toEqual(NO_TOKEN);
    });

    it('storage routes: 403 {error} for no token, a bad token and an ended token', async () => {
      const alice = await newUser(t.http);
      const none = await t.http.post('/logout').expect(403);
      const bad = await t.http.post('/logout').set('X-Session', 'bad').expect(403);
      await t.http.delete('/auth').set(alice.auth).expect(204);
      const ended = await t.http.post('/logout').set('X-Session', alice.token).expect(403);
      for (const res of [none, bad, ended]) expect(res.body).toEqual({ error: expect.any(String) });
    });
  });

  describe('tokens', () => {
    it('refuses a token signed with another key', async () => {
      const alice = await newUser(t.http);
      const payload = JSON.parse(Buffer.from(alice.token.split('.')[1], 'base64url').toString());
      const forged = sign(payload, 'not-the-server-secret-at-all', { algorithm: 'HS256' });
      expect((await t.http.get(`/user/${alice.username}`).set(bearer(forged)).expect(401)).body).toEqual(BAD_TOKEN);
    });

    it('refuses a token whose payload was changed', async () => {
      const alice = await newUser(t.http);
      const bob = await newUser(t.http);
      const [header, , signature] = alice.token.split('.');
      const bobPayload = bob.token.split('.')[1];
      const tampered = `${header}.${bobPayload}.${signature}`;
      await t.http.get(`/user/${bob.username}`).set(bearer(tampered)).expect(401);
    });

    it('refuses an unsigned ("alg": "none") token', async () => {
      const alice = await newUser(t.http);
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const payload = alice.token.split('.')[1];
      await t.http.get(`/user/${alice.username}`).set(bearer(`${header}.${payload}.`)).expect(401);
    });

    it('refuses a validly signed token naming a session that does not exist', async () => {
      const alice = await newUser(t.http);
      const forged = sign({ sid: 'made-up-session', sub: alice.id }, t.config.jwtSecret, { algorithm: 'HS256', expiresIn: 3600 });
      await t.http.get(`/user/${alice.username}`).set(bearer(forged)).expect(401);
    });

    it("refuses a validly signed token that pairs one user's session with another user's id", async () => {
      const alice = await newUser(t.http);
      const bob = await newUser(t.http);
      const { sid } = JSON.parse(Buffer.from(alice.token.split('.')[1], 'base64url').toString());
      const forged = sign({ sid, sub: bob.id }, t.config.jwtSecret, { algorithm: 'HS256', expiresIn: 3600 });
      await t.http.get(`/user/${bob.username}`).set(bearer(forged)).expect(401);
    });
  });

  describe('sessions end', () => {
    it('when the user changes their password: every other session, not the current one', async () => {
      const alice = await newUser(t.http);
      const other = await login(t.http, alice.username, alice.password);
      await t.http.put(`/user/${alice.username}/password`).set(alice.auth).send({ currentPassword: alice.password, newPassword: 'a-new-password' }).expect(204);
      await t.http.get(`/user/${alice.username}`).set(other.auth).expect(401);
      await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(200);
    });

    it('when an admin blocks the user', async () => {
      const admin = await loginAdmin(t.http);
      const alice = await newUser(t.http);
      await t.http.patch(`/admin/users/${alice.username}`).set(admin.auth).send({ blockLogin: true }).expect(200);
      await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(401);
      // Unblocking does not bring the old session back.
      await t.http.patch(`/admin/users/${alice.username}`).set(admin.auth).send({ blockLogin: false }).expect(200);
      await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(401);
      await login(t.http, alice.username, alice.password);
    });

    it("when an admin ends the user's sessions", async () => {
      const admin = await loginAdmin(t.http);
      const alice = await newUser(t.http);
      await t.http.delete(`/admin/users/${alice.username}/sessions`).set(admin.auth).expect(204);
      await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(401);
      await t.http.get('/admin/users').set(admin.auth).expect(200);
    });

    it('when the user is deleted', async () => {
      const alice = await newUser(t.http);
      const other = await login(t.http, alice.username, alice.password);
      await t.http.delete(`/user/${alice.username}`).set(alice.auth).expect(200);
      await t.http.get('/auth/sessions').set(other.auth).expect(401);
      // A new user with the same name does not inherit the old sessions.
      await t.http.post('/register').send({ username: alice.username, password: 'password-two' }).expect(204);
      await t.http.get(`/user/${alice.username}`).set(other.auth).expect(401);
    });
  });

  describe('session store', () => {
    (services.redis ? it : it.skip)('keeps a Redis session for its remaining life (key TTL)', async () => {
      const alice = await newUser(t.http);
      const { sid } = JSON.parse(Buffer.from(alice.token.split('.')[1], 'base64url').toString());
      const redis = new Redis(t.config.redisUrl as string, { keyPrefix: t.config.redisKeyPrefix });
      try {
        const ttl = await redis.pttl(`session:${sid}`);
        expect(ttl).toBeGreaterThan(t.config.sessionTtlMs - 60_000);
        expect(ttl).toBeLessThanOrEqual(t.config.sessionTtlMs);
      } finally {
        await redis.quit();
      }
    });
  });
});

describe('Auth with a short SESSION_TTL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SESSION_TTL: '2s' });
  });
  afterAll(() => t.close());

  it('refuses a session once it has expired', async () => {
    const alice = await newUser(t.http);
    const res = await t.http.post('/auth').send({ username: alice.username, password: alice.password }).expect(200);
    const ttl = new Date(res.body.expiresAt).getTime() - Date.now();
    expect(ttl).toBeLessThanOrEqual(2000);
    await sleep(2500);
    expect((await t.http.get(`/user/${alice.username}`).set(bearer(res.body.token)).expect(401)).body).toEqual(BAD_TOKEN);
    await t.http.post('/logout').set(bearer(res.body.token)).expect(403);
    const sessions = await t.http.post('/auth').send({ username: alice.username, password: alice.password }).expect(200);
    const list = await t.http.get('/auth/sessions').set(bearer(sessions.body.token)).expect(200);
    expect(list.body).toHaveLength(1);
  });
});

describe('Auth across a restart', () => {
  it('keeps a live token valid after the server restarts (same DATA_DIR)', async () => {
    let t = await startTestApp();
    try {
      const alice = await newUser(t.http);
      const admin = await login(t.http, ADMIN.username, ADMIN.password);
      t = await t.restart();
      await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(200);
      await t.http.get('/admin/users').set(admin.auth).expect(200);
    } finally {
      await t.close();
    }
  });
});
