import { Outages } from '../../src/availability/outages.service';
import { ReservationReleases } from '../../src/files/reservation-releases';
import { FaultProxy } from '../support/fault-proxy';
import { LogCapture } from '../support/log-capture';
import { PrivatePostgres } from '../support/private-postgres';
import { PrivateRedis } from '../support/private-redis';
import { startS3rver, TestS3 } from '../support/s3';
import { startTestApp, TestApp } from '../support/test-app';
import { LoggedInUser, newUser } from '../support/users';
import { Acknowledged, createTusUpload, download, expectInvariants, sha256, TUS, tusPatch, uniqueBytes } from './fault-kit';

/** How long the load runs (README "When things fail": 10 minutes in CI). */
const SOAK_MS = Number(process.env.SOAK_MS ?? 10 * 60_000);
/** The fault schedule is drawn from this seed, printed at the start, so that a failing run can be replayed. */
const SEED = Number(process.env.SOAK_SEED ?? 19);
const WORKERS = 4;
/** No request may take longer than this, whatever is cut or hung. */
const MAX_REQUEST_MS = 10_000;

/** mulberry32: a small seeded PRNG, so the schedule of faults is the same every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Mixed load (PUT, tus in pieces, downloads checked byte for byte, listings, logins) from four
 * users against the app on PostgreSQL, Redis and S3, each behind a TCP proxy that cuts all of its
 * connections, refuses new ones or hangs every few seconds. Then, with everything back: no answer
 * was a 500, none took longer than 10 s, every acknowledged upload is readable and is one version,
 * nothing is stuck, reserved or orphaned.
 */
describe(`soak: ${Math.round(SOAK_MS / 1000)} s of load with connections cut at random (PostgreSQL + Redis + S3)`, () => {
  let pg: PrivatePostgres;
  let redis: PrivateRedis;
  let s3: TestS3;
  let proxies: { database: FaultProxy; redis: FaultProxy; storage: FaultProxy };
  let t: TestApp;
  const logs = new LogCapture();

  beforeAll(async () => {
    [pg, redis, s3] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start(), startS3rver()]);
    const s3Port = Number(new URL(s3.endpoint).port);
    proxies = {
      database: await FaultProxy.start({ host: '127.0.0.1', port: Number(pg.env.DB_PORT) }),
      redis: await FaultProxy.start({ host: '127.0.0.1', port: redis.port }),
      storage: await FaultProxy.start({ host: '127.0.0.1', port: s3Port }),
    };
    t = await startTestApp(
      {
        ...pg.env,
        DB_PORT: String(proxies.database.port),
        DB_TIMEOUT: '3s',
        REDIS_URL: `redis://127.0.0.1:${proxies.redis.port}`,
        ...s3.env,
        S3_ENDPOINT: `http://127.0.0.1:${proxies.storage.port}`,
        LOG_LEVEL: 'warn',
      },
      { logDestination: logs },
    );
  }, 60_000);
  afterAll(async () => {
    for (const proxy of Object.values(proxies ?? {})) {
      proxy.accept();
      proxy.unstall();
    }
    await t?.close();
    for (const proxy of Object.values(proxies ?? {})) await proxy.close();
    await Promise.all([pg?.stop(), redis?.stop(), s3?.stop()]);
  }, 60_000);

  it('answers no 500, holds no request past 10 s, loses no acknowledged byte, and leaves nothing stuck or orphaned', async () => {
    const random = prng(SEED);
    console.log(`soak: ${SOAK_MS} ms, seed ${SEED}`);
    const acknowledged: Acknowledged[] = [];
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    let slowest = 0;
    let faults = 0;
    const deadline = Date.now() + SOAK_MS;

    /** One request, timed; a connection the server cut is status 0 (it may do that mid-download when the store fails). */
    const timed = async (what: string, send: () => PromiseLike<Answer>): Promise<Answer> => {
      const started = Date.now();
      let answer: Answer;
      try {
        answer = await send();
      } catch {
        answer = { status: 0, headers: {}, body: undefined };
      }
      const ms = Date.now() - started;
      slowest = Math.max(slowest, ms);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (ms > MAX_REQUEST_MS) problems.push(`${what} took ${ms} ms`);
      if (answer.status >= 500 && answer.status !== 503 && answer.status !== 507) problems.push(`${what} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      if (answer.status === 503 && !(Number(answer.headers['retry-after']) > 0)) problems.push(`${what} answered 503 without Retry-After`);
      return answer;
    };

    const users: LoggedInUser[] = [];
    for (let i = 0; i < WORKERS; i++) users.push(await newUser(t.http, `soak${i}`));

    const put = async (user: LoggedInUser, n: number): Promise<void> => {
      const data = uniqueBytes(1000 + Math.floor(random() * 300_000));
      const path = `soak/put-${n}.bin`;
      const res = await timed(`PUT ${path}`, () => t.http.put(`/files/${path}`).set(user.auth).send(data));
      if (res.status === 201) acknowledged.push({ user, path, sha256: sha256(data), size: data.length });
    };

    const tus = async (user: LoggedInUser, n: number): Promise<void> => {
      const data = uniqueBytes(50_000 + Math.floor(random() * 600_000));
      const path = `soak/tus-${n}.bin`;
      let location: string;
      try {
        location = await createTusUpload(t, user, data.length, path);
      } catch {
        return; // not created (503): nothing acknowledged
      }
      let offset = 0;
      for (let attempt = 0; attempt < 20 && Date.now() < deadline; attempt++) {
        const piece = data.subarray(offset, Math.min(data.length, offset + 1 + Math.floor(random() * 250_000)));
        const res = await timed(`PATCH ${path}`, () => tusPatch(t, user, location, offset, piece));
        if (res.status === 204 && offset + piece.length === data.length) {
          acknowledged.push({ user, path, sha256: sha256(data), size: data.length });
          return;
        }
        // Resume where the server says, as tus clients do.
        const head = await timed(`HEAD ${path}`, () => t.http.head(location).set(user.auth).set(TUS));
        if (head.status === 404) return;
        if (head.status === 200) offset = Number(head.headers['upload-offset']);
        if (offset === data.length) {
          acknowledged.push({ user, path, sha256: sha256(data), size: data.length });
          return;
        }
      }
    };

    const read = async (user: LoggedInUser): Promise<void> => {
      const mine = acknowledged.filter((ack) => ack.user === user);
      if (mine.length === 0) return;
      const ack = mine[Math.floor(random() * mine.length)];
      let bytes: Buffer | undefined;
      await timed(`GET ${ack.path}`, async () => {
        const got = await download(t, user, ack.path);
        if (got.status === 200) bytes = got.body;
        return { status: got.status, headers: got.headers, body: got.status === 200 ? undefined : got.body.toString('utf8') };
      });
      // Every path is uploaded once: a 200 must be exactly the acknowledged bytes.
      if (bytes && sha256(bytes) !== ack.sha256) problems.push(`GET ${ack.path} served other bytes`);
    };

    const worker = async (user: LoggedInUser): Promise<void> => {
      for (let n = 0; Date.now() < deadline; n++) {
        const pick = random();
        if (pick < 0.35) await put(user, n);
        else if (pick < 0.6) await tus(user, n);
        else if (pick < 0.85) await read(user);
        else if (pick < 0.95) await timed('GET /files', () => t.http.get('/files?include=shared').set(user.auth));
        else await timed('POST /login', () => t.http.post('/login').send({ username: user.username, password: user.password }));
      }
    };

    // The fault schedule: how long between faults and how long a refusal or a hang lasts are the
    // faults themselves (seeded), not waits for something to happen.
    const chaos = async (): Promise<void> => {
      const names = Object.keys(proxies) as (keyof typeof proxies)[];
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 2000 + random() * 3000));
        const proxy = proxies[names[Math.floor(random() * names.length)]];
        const kind = random();
        faults++;
        if (kind < 0.6) {
          proxy.cutAll();
        } else if (kind < 0.8) {
          proxy.refuse();
          await new Promise((resolve) => setTimeout(resolve, 500 + random() * 2500));
          proxy.accept();
        } else {
          proxy.stall();
          await new Promise((resolve) => setTimeout(resolve, 500 + random() * 3500));
          proxy.unstall();
        }
      }
    };

    await Promise.all([chaos(), ...users.map((user) => worker(user))]);

    // Everything is back: the server must notice by itself (its probes) and serve again.
    await t.app.get(Outages).allUp();
    await t.http.get('/health/ready').expect(200);
    await t.app.get(ReservationReleases).idle();
    console.log(`soak: ${faults} faults; ${acknowledged.length} uploads acknowledged; answers ${JSON.stringify(Object.fromEntries(statuses))}; slowest ${slowest} ms`);
    expect(problems).toEqual([]);
    expect(logs.lines.filter((line) => Number(line.level) >= 50).map((line) => line.msg)).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(50);
    await expectInvariants(t, acknowledged);
  });
});
