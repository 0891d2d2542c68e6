import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { services, startTestApp, TestApp, uniqueName } from '../support/test-app';

const RATE_LIMITED = 'Too many attempts, try again later';
const WRONG = 'wrong-password';

type Answer = { status: number; body: { error?: unknown }; headers: Record<string, string> };

function expectRateLimited(res: Answer): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({ error: RATE_LIMITED });
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

async function register(t: TestApp, from = '127.0.0.1'): Promise<{ username: string; password: string }> {
  const username = uniqueName('rl');
  const password = `pw-${username}`;
  await t.http.post('/register').set('X-Forwarded-For', from).send({ username, password }).expect(204);
  return { username, password };
}

/** Client addresses are simulated through X-Forwarded-For behind TRUST_PROXY=loopback. */
const login = (t: TestApp, from: string, body: object) => t.http.post('/login').set('X-Forwarded-For', from).send(body);

describe('brute-force limits (CONTRACT §11)', () => {
  describe('per username and address', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_LOGIN_PAIR: '3/1m', RATE_LIMIT_LOGIN: '1000/1m', RATE_LIMIT_LOGIN_IP: '1000/1m', TRUST_PROXY: 'loopback' });
    });
    afterAll(() => t.close());

    it('never counts a success: a script that logs in correctly again and again is never refused', async () => {
      const alice = await register(t);
      for (let i = 0; i < 12; i++) await login(t, '192.0.2.1', alice).expect(200);
    });

    it('answers 429 with Retry-After to the guessing address, even with the right password, and lets the owner in from elsewhere', async () => {
      const bob = await register(t);
      for (let i = 0; i < 3; i++) await login(t, '192.0.2.66', { username: bob.username, password: WRONG }).expect(403);
      expectRateLimited(await login(t, '192.0.2.66', bob));
      await login(t, '192.0.2.10', bob).expect(200);
      const metrics = await t.http.get('/metrics').expect(200);
      expect(metrics.text).toMatch(/^cloudstash_rate_limited_total\{group="login"\} [1-9]/m);
    });

    it('forgives earlier typos once the owner logs in', async () => {
      const carol = await register(t);
      for (let i = 0; i < 2; i++) await login(t, '192.0.2.20', { username: carol.username, password: WRONG }).expect(403);
      await login(t, '192.0.2.20', carol).expect(200);
      for (let i = 0; i < 2; i++) await login(t, '192.0.2.20', { username: carol.username, password: WRONG }).expect(403);
      await login(t, '192.0.2.20', carol).expect(200);
    });

    it('shares one budget between /login, /auth and /authenticate', async () => {
      const dave = await register(t);
      const from = '192.0.2.30';
      await login(t, from, { username: dave.username, password: WRONG }).expect(403);
      await t.http.post('/auth').set('X-Forwarded-For', from).send({ username: dave.username, password: WRONG }).expect(403);
      await t.http.post('/authenticate').set('X-Forwarded-For', from).send({ username: dave.username, password: WRONG }).expect(403);
      expectRateLimited(await t.http.post('/authenticate').set('X-Forwarded-For', from).send(dave));
      expectRateLimited(await t.http.post('/auth').set('X-Forwarded-For', from).send(dave));
    });

    it('counts wrong currentPassword guesses on PUT /user/{u}/password in the same counters', async () => {
      const erin = await register(t);
      const from = '192.0.2.40';
      const token = (await login(t, from, erin).expect(200)).body.token as string;
      const change = (currentPassword: string) =>
        t.http.put(`/user/${erin.username}/password`).set('X-Forwarded-For', from).set('Authorization', `Bearer ${token}`).send({ currentPassword, newPassword: 'a-new-password' });
      for (let i = 0; i < 3; i++) await change(WRONG).expect(403);
      expectRateLimited(await change(erin.password));
      // The owner still logs in from another address with the unchanged password.
      await login(t, '192.0.2.41', erin).expect(200);
    });

    it('lets many guesses run at once but never more than the limit through', async () => {
      const frank = await register(t);
      const answers = await Promise.all(Array.from({ length: 8 }, () => login(t, '192.0.2.50', { username: frank.username, password: WRONG })));
      expect(answers.filter((a) => a.status === 403)).toHaveLength(3);
      expect(answers.filter((a) => a.status === 429)).toHaveLength(5);
    });
  });

  describe('per username from all addresses, with device cookies', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_LOGIN_PAIR: '1000/1m', RATE_LIMIT_LOGIN: '5/1m', RATE_LIMIT_LOGIN_IP: '1000/1m', TRUST_PROXY: 'loopback' });
    });
    afterAll(() => t.close());

    it('closes the name to new clients after guesses from many addresses, but the owner’s browser gets in', async () => {
      const victim = await register(t);
      // The victim's browser has logged in before: it holds a device cookie.
      const browser = request.agent(t.app.getHttpServer());
      const first = await browser.post('/login').set('X-Forwarded-For', '198.51.100.1').send(victim).expect(200);
      expect(String(first.headers['set-cookie'])).toMatch(/cs_device_[\w-]+=\d+\.[\w-]{43};/);

      for (let i = 0; i < 5; i++) await login(t, `203.0.113.${i}`, { username: victim.username, password: WRONG }).expect(403);
      expectRateLimited(await login(t, '203.0.113.99', { username: victim.username, password: WRONG }));
      // A client that never logged in as the victim is refused, even with the right password...
      expectRateLimited(await login(t, '198.51.100.2', victim));
      // ...the victim's own browser is not, again and again.
      for (let i = 0; i < 3; i++) await browser.post('/login').set('X-Forwarded-For', '198.51.100.1').send(victim).expect(200);
      // Other names are untouched.
      const other = await register(t);
      await login(t, '203.0.113.1', other).expect(200);
    });

    it('does not trust a device cookie made for another name or tampered with', async () => {
      const victim = await register(t);
      const mallory = await register(t);
      const res = await login(t, '198.51.100.7', mallory).expect(200);
      const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
      const device = cookies.find((c) => c.startsWith('cs_device_'))?.split(';')[0] ?? '';
      expect(device).not.toBe('');
      for (let i = 0; i < 5; i++) await login(t, `203.0.113.${i}`, { username: victim.username, password: WRONG }).expect(403);
      // Mallory's cookie is for her own name.
      expectRateLimited(await login(t, '198.51.100.7', victim).set('Cookie', device));
      // Nor does her cookie's value count under the victim's cookie name: the signature binds the name.
      const victimCookie = `cs_device_${createHash('sha256').update(victim.username).digest('base64url').slice(0, 16)}`;
      const value = device.split('=')[1];
      expectRateLimited(await login(t, '198.51.100.7', victim).set('Cookie', `${victimCookie}=${value}`));
      expectRateLimited(await login(t, '198.51.100.7', victim).set('Cookie', `${victimCookie}=9999999999999.${'A'.repeat(43)}`));
    });
  });

  describe('per client address', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_LOGIN_PAIR: '1000/1m', RATE_LIMIT_LOGIN: '1000/1m', RATE_LIMIT_LOGIN_IP: '3/1m', TRUST_PROXY: 'loopback' });
    });
    afterAll(() => t.close());

    it('answers 429 once one address has failed its budget, whatever the usernames; other addresses are free', async () => {
      const from = '203.0.113.7';
      for (let i = 0; i < 3; i++) await login(t, from, { username: uniqueName('x'), password: WRONG }).expect(403);
      expectRateLimited(await login(t, from, { username: uniqueName('x'), password: WRONG }));
      await login(t, '203.0.113.8', { username: uniqueName('x'), password: WRONG }).expect(403);
    });

    it('counts a login name that breaks the username rule as a failure, answered like a wrong password', async () => {
      const from = '203.0.113.9';
      const user = await register(t, from);
      await login(t, from, { username: `${user.username}   `, password: user.password }).expect(403);
      await login(t, from, { username: 'no/such', password: WRONG }).expect(403);
      await login(t, from, { username: user.username, password: user.password }).expect(200);
      await login(t, from, { username: 'ab', password: WRONG }).expect(403);
      expectRateLimited(await login(t, from, { username: user.username, password: user.password }));
    });
  });

  describe('without TRUST_PROXY', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_LOGIN_PAIR: '1000/1m', RATE_LIMIT_LOGIN: '1000/1m', RATE_LIMIT_LOGIN_IP: '2/1m' });
    });
    afterAll(() => t.close());

    it('ignores X-Forwarded-For, so a client cannot pick a fresh address per attempt', async () => {
      for (let i = 0; i < 2; i++) await login(t, `192.0.2.${i}`, { username: uniqueName('x'), password: WRONG }).expect(403);
      expectRateLimited(await login(t, '192.0.2.99', { username: uniqueName('x'), password: WRONG }));
    });
  });

  describe('sign-ups on POST /register and POST /user', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_REGISTER_IP: '2/1m' });
    });
    afterAll(() => t.close());

    it('counts accounts created per address, shared by both routes; refused sign-ups do not count', async () => {
      const taken = uniqueName('r');
      await t.http.post('/register').send({ username: taken, password: 'password-123' }).expect(204);
      for (let i = 0; i < 3; i++) {
        await t.http.post('/register').send({ username: taken, password: 'password-123' }).expect(400);
        await t.http.post('/user').send({ username: 'x', password: 'password-123' }).expect(400);
      }
      await t.http.post('/user').send({ username: uniqueName('r'), password: 'password-123' }).expect(201);
      expectRateLimited(await t.http.post('/user').send({ username: uniqueName('r'), password: 'password-123' }));
      expectRateLimited(await t.http.post('/register').send({ username: uniqueName('r'), password: 'password-123' }));
      const metrics = await t.http.get('/metrics').expect(200);
      expect(metrics.text).toMatch(/^cloudstash_rate_limited_total\{group="register"\} [1-9]/m);
    });

    it('keeps login apart from the sign-up budget', async () => {
      await t.http.post('/login').send({ username: 'admin', password: 'admin-password-1' }).expect(200);
    });
  });

  describe('the defaults', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_LOGIN: undefined, RATE_LIMIT_LOGIN_IP: undefined, RATE_LIMIT_LOGIN_PAIR: undefined, RATE_LIMIT_REGISTER_IP: undefined });
    });
    afterAll(() => t.close());

    it('let a test suite sign up 100 users and log each in twice from one address, with a few typos', async () => {
      const users: { username: string; password: string }[] = [];
      for (let batch = 0; batch < 10; batch++) {
        users.push(...(await Promise.all(Array.from({ length: 10 }, () => register(t)))));
      }
      for (let batch = 0; batch < 100; batch += 10) {
        const answers = await Promise.all(users.slice(batch, batch + 10).flatMap((u) => [t.http.post('/login').send(u), t.http.post('/auth').send(u)]));
        expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      }
      for (const u of users.slice(0, 5)) await t.http.post('/login').send({ username: u.username, password: WRONG }).expect(403);
      await t.http.post('/login').send(users[0]).expect(200);
    }, 120_000);
  });

  const withRedis = services.redis ? describe : describe.skip;
  withRedis('across instances (REDIS_URL)', () => {
    let one: TestApp;
    let two: TestApp;
    beforeAll(async () => {
      const shared = { RATE_LIMIT_LOGIN_PAIR: '4/1m', RATE_LIMIT_LOGIN: '1000/1m', RATE_LIMIT_LOGIN_IP: '1000/1m', REDIS_KEY_PREFIX: `cloudstash-test-rl-${randomBytes(4).toString('hex')}:` };
      one = await startTestApp(shared);
      two = await startTestApp(shared);
    });
    afterAll(async () => {
      await one.close();
      await two.close();
    });

    it('holds the limit for a username tried on two instances', async () => {
      const username = uniqueName('z');
      for (const t of [one, two, one, two]) await t.http.post('/login').send({ username, password: WRONG }).expect(403);
      expectRateLimited(await one.http.post('/login').send({ username, password: WRONG }));
      expectRateLimited(await two.http.post('/login').send({ username, password: WRONG }));
    });
  });
});
