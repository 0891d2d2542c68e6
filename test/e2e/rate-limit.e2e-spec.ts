import { randomBytes } from 'node:crypto';
import { services, startTestApp, TestApp, uniqueName } from '../support/test-app';

const RATE_LIMITED = 'Too many attempts, try again later';

function expectRateLimited(res: { status: number; body: { error?: unknown }; headers: Record<string, string> }): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({ error: RATE_LIMITED });
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

async function register(t: TestApp): Promise<{ username: string; password: string }> {
  const username = uniqueName('rl');
  const password = `pw-${username}`;
  await t.http.post('/register').send({ username, password }).expect(204);
  return { username, password };
}

describe('rate limiting', () => {
  describe('per username on POST /login, /auth, /authenticate', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_LOGIN: '3/1m', RATE_LIMIT_LOGIN_IP: '1000/1m' });
    });
    afterAll(() => t.close());

    it('answers 429 {error} with Retry-After once a username has used its attempts, even with the right password', async () => {
      const alice = await register(t);
      for (let i = 0; i < 3; i++) {
        await t.http.post('/login').send({ username: alice.username, password: 'wrong-password' }).expect(403);
      }
      expectRateLimited(await t.http.post('/login').send(alice));
      const metrics = await t.http.get('/metrics').expect(200);
      expect(metrics.text).toMatch(/^cloudstash_rate_limited_total\{group="login"\} [1-9]/m);
    });

    it('shares one budget between the three login routes', async () => {
      const bob = await register(t);
      await t.http.post('/login').send({ username: bob.username, password: 'wrong-password' }).expect(403);
      await t.http.post('/auth').send({ username: bob.username, password: 'wrong-password' }).expect(403);
      await t.http.post('/authenticate').send({ username: bob.username, password: 'wrong-password' }).expect(403);
      expectRateLimited(await t.http.post('/authenticate').send(bob));
      expectRateLimited(await t.http.post('/auth').send(bob));
    });

    it('leaves other usernames from the same address alone', async () => {
      const carol = await register(t);
      for (let i = 0; i < 4; i++) await t.http.post('/login').send({ username: carol.username, password: 'wrong-password' });
      const dave = await register(t);
      await t.http.post('/login').send(dave).expect(200);
    });

    it('does not limit other routes', async () => {
      for (let i = 0; i < 5; i++) await t.http.get('/').expect(200);
    });
  });

  describe('per client address', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_LOGIN: '1000/1m', RATE_LIMIT_LOGIN_IP: '3/1m', TRUST_PROXY: 'loopback' });
    });
    afterAll(() => t.close());

    it('answers 429 once one address has tried its budget, whatever the usernames', async () => {
      const from = '203.0.113.7';
      for (let i = 0; i < 3; i++) {
        await t.http.post('/login').set('X-Forwarded-For', from).send({ username: uniqueName('x'), password: 'wrong-password' }).expect(403);
      }
      expectRateLimited(await t.http.post('/login').set('X-Forwarded-For', from).send({ username: uniqueName('x'), password: 'wrong-password' }));
      // Behind a trusted proxy, another client address has its own budget.
      await t.http.post('/login').set('X-Forwarded-For', '203.0.113.8').send({ username: uniqueName('x'), password: 'wrong-password' }).expect(403);
    });

    it('counts a body without a username against the address', async () => {
      const from = '198.51.100.1';
      for (let i = 0; i < 3; i++) await t.http.post('/login').set('X-Forwarded-For', from).send({}).expect(400);
      expectRateLimited(await t.http.post('/login').set('X-Forwarded-For', from).send({}));
    });
  });

  describe('without TRUST_PROXY', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_LOGIN: '1000/1m', RATE_LIMIT_LOGIN_IP: '2/1m' });
    });
    afterAll(() => t.close());

    it('ignores X-Forwarded-For, so a client cannot pick a fresh address per attempt', async () => {
      for (let i = 0; i < 2; i++) {
        await t.http.post('/login').set('X-Forwarded-For', `192.0.2.${i}`).send({ username: uniqueName('x'), password: 'wrong-password' }).expect(403);
      }
      expectRateLimited(await t.http.post('/login').set('X-Forwarded-For', '192.0.2.99').send({ username: uniqueName('x'), password: 'wrong-password' }));
    });
  });

  describe('sign-up on POST /register and POST /user', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_REGISTER: '1000/1m', RATE_LIMIT_REGISTER_IP: '2/1m' });
    });
    afterAll(() => t.close());

    it('shares one per-address budget between both sign-up routes', async () => {
      await t.http.post('/register').send({ username: uniqueName('r'), password: 'password-123' }).expect(204);
      await t.http.post('/user').send({ username: uniqueName('r'), password: 'password-123' }).expect(201);
      expectRateLimited(await t.http.post('/user').send({ username: uniqueName('r'), password: 'password-123' }));
      expectRateLimited(await t.http.post('/register').send({ username: uniqueName('r'), password: 'password-123' }));
    });

    it('keeps login apart from the sign-up budget', async () => {
      await t.http.post('/login').send({ username: 'admin', password: 'admin-password-1' }).expect(200);
    });
  });

  const withRedis = services.redis ? describe : describe.skip;
  withRedis('across instances (REDIS_URL)', () => {
    let one: TestApp;
    let two: TestApp;
    beforeAll(async () => {
      const shared = { RATE_LIMIT_LOGIN: '4/1m', RATE_LIMIT_LOGIN_IP: '1000/1m', REDIS_KEY_PREFIX: `cloudstash-test-rl-${randomBytes(4).toString('hex')}:` };
      one = await startTestApp(shared);
      two = await startTestApp(shared);
    });
    afterAll(async () => {
      await one.close();
      await two.close();
    });

    it('holds the limit for a username tried on two instances', async () => {
      const username = uniqueName('z');
      for (const t of [one, two, one, two]) await t.http.post('/login').send({ username, password: 'wrong-password' }).expect(403);
      expectRateLimited(await one.http.post('/login').send({ username, password: 'wrong-password' }));
      expectRateLimited(await two.http.post('/login').send({ username, password: 'wrong-password' }));
    });
  });
});
