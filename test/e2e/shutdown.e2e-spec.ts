import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, ServerProcess, startServer } from '../support/built-server';
import { GENEROUS_RATE_LIMITS } from '../support/rate-limits';

const CHUNK = 64 * 1024;
const CHUNKS = 24;

interface Answer {
  status: number;
  body: string;
}

function answerOf(res: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let body = '';
    res.setEncoding('utf8').on('data', (d: string) => (body += d));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    res.on('error', reject);
  });
}

async function json(url: string, method: string, body?: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function loggedInUser(server: ServerProcess): Promise<string> {
  const username = `sd${randomBytes(4).toString('hex')}`;
  const password = `pw-${username}-secret`;
  expect((await json(`${server.url}/register`, 'POST', { username, password })).status).toBe(204);
  const login = await json(`${server.url}/login`, 'POST', { username, password });
  expect(login.status).toBe(200);
  return login.body.token as string;
}

/** A PUT whose body the test writes chunk by chunk, so that it is still running when SIGTERM arrives. */
function slowUpload(server: ServerProcess, token: string, name: string, size: number) {
  const req = httpRequest(`${server.url}/files/${name}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => void answerOf(res).then(resolve, reject));
    req.on('error', reject);
  });
  const write = (chunk: Buffer): Promise<void> => new Promise((resolve, reject) => req.write(chunk, (error) => (error ? reject(error) : resolve())));
  return { req, answer, write };
}

/** A request on a new connection (no keep-alive pool): refused once the server stopped listening. */
function connectionRefused(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest(`${url}/health`, { agent: false }, (res) => {
      res.resume();
      resolve(false);
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    req.end();
  });
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('graceful shutdown (SIGTERM to the built server)', () => {
  let main: string;
  let dataDir: string;
  const baseEnv = (): Record<string, string> => ({
    DATA_DIR: dataDir,
    ...GENEROUS_RATE_LIMITS,
  });

  beforeAll(async () => {
    main = await buildServer();
  }, 120_000);
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cloudstash-shutdown-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('lets an upload that is running at SIGTERM finish with 201, refuses new connections, then exits', async () => {
    let server = await startServer(main, { ...baseEnv(), SHUTDOWN_GRACE: '30s' });
    try {
      const token = await loggedInUser(server);
      const bytes = randomBytes(CHUNK * CHUNKS);
      const upload = slowUpload(server, token, 'in-flight.bin', bytes.length);
      for (let i = 0; i < CHUNKS / 2; i++) await upload.write(bytes.subarray(i * CHUNK, (i + 1) * CHUNK));

      server.child.kill('SIGTERM');
      await server.waitForLog((l) => typeof l.msg === 'string' && l.msg.includes('no new connections'));
      // Checked at the end, so that a failure here still lets the upload finish and tells its outcome too.
      const refused = await connectionRefused(server.url);

      for (let i = CHUNKS / 2; i < CHUNKS; i++) {
        await upload.write(bytes.subarray(i * CHUNK, (i + 1) * CHUNK));
        await pause(10);
      }
      upload.req.end();
      const answer = await upload.answer;
      expect({ refused, status: answer.status }).toEqual({ refused: true, status: 201 });
      expect(JSON.parse(answer.body)).toMatchObject({ name: 'in-flight.bin', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });

      const exit = await server.exited;
      expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
      expect(server.logs.some((l) => l.msg === 'requests drained; closing clients')).toBe(true);
      expect(server.logs.filter((l) => (l.level ?? 0) >= 50)).toEqual([]);

      // The upload was committed, not just answered: a new process on the same data serves it.
      server = await startServer(main, baseEnv());
      const read = await fetch(`${server.url}/files/in-flight.bin`, { headers: { Authorization: `Bearer ${token}` } });
      expect(read.status).toBe(200);
      expect(Buffer.from(await read.arrayBuffer()).equals(bytes)).toBe(true);
    } finally {
      await server.stop();
    }
  }, 120_000);

  it('cuts a request that outlives SHUTDOWN_GRACE and still exits', async () => {
    const server = await startServer(main, { ...baseEnv(), SHUTDOWN_GRACE: '1s' });
    try {
      const token = await loggedInUser(server);
      const upload = slowUpload(server, token, 'stalled.bin', CHUNK * 10);
      await upload.write(randomBytes(CHUNK));
      const outcome = upload.answer.then(
        (answer) => `answered ${answer.status}`,
        (error: NodeJS.ErrnoException) => `cut: ${error.code ?? error.message}`,
      );

      server.child.kill('SIGTERM');
      const exit = await server.exited;
      expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
      expect(await outcome).toMatch(/^cut: (ECONNRESET|EPIPE)/);
      expect(server.logs.some((l) => typeof l.msg === 'string' && l.msg.includes('cutting the connections still open'))).toBe(true);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
