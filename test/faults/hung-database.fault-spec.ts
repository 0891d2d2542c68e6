import { LogCapture } from '../support/log-capture';
import { PrivateMariaDB } from '../support/private-mariadb';
import { PrivatePostgres } from '../support/private-postgres';
import { newUser } from '../support/users';
import { startTestApp, TestApp } from '../support/test-app';
import { download, eventsOf, expectRetryLater, recoveryOf, sha256, uniqueBytes } from './fault-kit';

interface PausableDatabase {
  env: Record<string, string>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

const SERVERS: [string, () => Promise<PausableDatabase>][] = [
  ['PostgreSQL', () => PrivatePostgres.start()],
  ['MariaDB', () => PrivateMariaDB.start()],
];


/**
 * A database that hangs (SIGSTOP: connections stay open, nothing answers) must not hold requests
 * for as long as it hangs: the query and pool deadlines (DB_TIMEOUT) turn it into 503s within
 * seconds, logged as one outage, and the server serves again by itself when it wakes.
 */
describe.each(SERVERS)('a hung %s', (_, start) => {
  let db: PausableDatabase;
  let t: TestApp;
  const logs = new LogCapture();

  beforeAll(async () => {
    db = await start();
    t = await startTestApp({ ...db.env, REDIS_URL: undefined, STORAGE_DRIVER: 'local', DB_TIMEOUT: '3s', LOG_LEVEL: 'info' }, { logDestination: logs });
  });
  afterAll(async () => {
    await t?.close();
    await db?.stop();
  });

  it('answers listings, uploads, logins and downloads 503 with Retry-After in under 10 s, logs one outage, and serves again when it wakes', async () => {
    const user = await newUser(t.http, 'hang');
    const data = uniqueBytes(2000);
    await t.http.put('/files/before.bin').set(user.auth).send(data).expect(201);
    logs.lines.length = 0;

    await db.pause();
    try {
      const started = Date.now();
      const timed = (req: PromiseLike<{ status: number; headers: Record<string, string>; body: { error?: unknown } }>) => Promise.resolve(req).then((res) => ({ res, ms: Date.now() - started }));
      const answers = await Promise.all([
        timed(t.http.get('/files').set(user.auth)),
        timed(t.http.put('/files/during.bin').set(user.auth).send(uniqueBytes(1000))),
        timed(t.http.post('/login').send({ username: user.username, password: user.password })),
        timed(t.http.get('/files/before.bin').set(user.auth)),
      ]);
      for (const { res, ms } of answers) {
        expectRetryLater(res, /database/);
        expect(ms).toBeLessThan(10_000);
      }
      expect(eventsOf(logs, 'database')).toEqual(['outage']);
    } finally {
      await db.resume();
    }
    await logs.waitFor(recoveryOf('database'));
    expect(eventsOf(logs, 'database')).toEqual(['outage', 'recovery']);
    const file = await download(t, user, 'before.bin');
    expect({ status: file.status, sha256: sha256(file.body) }).toEqual({ status: 200, sha256: sha256(data) });
    await t.http.put('/files/after.bin').set(user.auth).send(uniqueBytes(1000)).expect(201);
  });
});
