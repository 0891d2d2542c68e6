import { LogCapture, LogLine } from '../support/log-capture';
import { PrivateRedis } from '../support/private-redis';
import { startTestApp, TestApp } from '../support/test-app';
import { login, newUser } from '../support/users';

function expectUnavailable(res: { status: number; body: { error?: unknown }; headers: Record<string, string> }, what: RegExp): void {
  expect(res.status).toBe(503);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body.error).toMatch(what);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

/** Issue 8, point 13: a dependency that goes away gives 503s, one log line each way, and service resumes by itself. */
describe('dependency outages', () => {
  describe('Redis (sessions and abuse counters) stopped under a running server', () => {
    let redis: PrivateRedis;
    let t: TestApp;
    const logs = new LogCapture();
    const printed: unknown[] = [];
    let consoleError: jest.SpyInstance;
    beforeAll(async () => {
      redis = await PrivateRedis.start();
      consoleError = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args));
      t = await startTestApp({ REDIS_URL: redis.url, LOG_LEVEL: 'info' }, { logDestination: logs });
    });
    afterAll(async () => {
      await t.close();
      await redis.stop();
      consoleError.mockRestore();
    });

    it('answers 503 {error} with Retry-After, keeps liveness, names Redis in readiness, logs once, and resumes', async () => {
      const alice = await newUser(t.http, 'out');
      await t.http.get('/files').set(alice.auth).expect(200);

      await redis.stop();
      expectUnavailable(await t.http.get('/files').set(alice.auth), /session store/);
      expectUnavailable(await t.http.post('/login').send({ username: alice.username, password: alice.password }), /session store/);
      expectUnavailable(await t.http.get('/files').set(alice.auth), /session store/);
      await t.http.get('/health').expect(200);
      const ready = await t.http.get('/health/ready').expect(503);
      expect(ready.body.error).toMatch(/sessions/);
      // Public routes that need no Redis still work.
      await t.http.get('/sounds').expect(200);

      await redis.start();
      await logs.waitFor(recoveryOf('redis'));
      // The sessions were in the Redis that went away: log in again.
      const again = await login(t.http, alice.username, alice.password);
      await t.http.get('/files').set(again.auth).expect(200);
      await t.http.get('/health/ready').expect(200);

      expect(eventsOf(logs, 'redis')).toEqual(['outage', 'recovery']);
      expect(logs.lines.filter((l) => l.level === 50 || l.level === 60)).toEqual([]);
      expect(JSON.stringify(printed)).not.toMatch(/ioredis|Unhandled error/);
    });
  });

  describe('S3 stopped under a running server', () => {
    let t: TestApp;
    const logs = new LogCapture();
    beforeAll(async () => {
      t = await startTestApp({ STORAGE_DRIVER: 's3', S3_ENDPOINT: undefined, LOG_LEVEL: 'info' }, { logDestination: logs });
    });
    afterAll(() => t.close());

    it('answers 503 to uploads and downloads, lists nothing half-stored, logs once, and resumes', async () => {
      const s3 = t.s3;
      if (!s3) throw new Error('the test app has no private s3rver');
      const bob = await newUser(t.http, 'out');
      await t.http.put('/files/kept.txt').set(bob.auth).set('Content-Type', 'text/plain').send('kept bytes').expect(201);

      await s3.pause();
      expectUnavailable(await t.http.put('/files/lost.txt').set(bob.auth).set('Content-Type', 'text/plain').send('never stored'), /file storage/);
      expectUnavailable(await t.http.get('/files/kept.txt').set(bob.auth), /file storage/);
      expectUnavailable(await t.http.post('/upload').set(bob.auth).attach('file', Buffer.from('part'), 'part.txt'), /file storage/);
      // What needs only the database still answers, and shows nothing of the failed uploads.
      expect((await t.http.get('/files').set(bob.auth).expect(200)).body).toEqual(['kept.txt']);
      await t.http.get('/health').expect(200);
      expect((await t.http.get('/health/ready').expect(503)).body.error).toMatch(/storage/);

      await s3.resume();
      await logs.waitFor(recoveryOf('storage'));
      expect((await t.http.get('/files/kept.txt').set(bob.auth).expect(200)).text).toBe('kept bytes');
      await t.http.put('/files/later.txt').set(bob.auth).set('Content-Type', 'text/plain').send('later').expect(201);
      expect((await t.http.get('/files').set(bob.auth).expect(200)).body).toEqual(['kept.txt', 'later.txt']);
      expect(eventsOf(logs, 'storage')).toEqual(['outage', 'recovery']);
    });
  });
});

const recoveryOf =
  (dependency: string) =>
  (line: LogLine): boolean =>
    line.dependency === dependency && line.event === 'recovery';

function eventsOf(logs: LogCapture, dependency: string): string[] {
  return logs.lines.filter((l) => l.dependency === dependency).map((l) => String(l.event));
}
