import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app-factory';
import { loadConfig } from '../../src/config/app-config';
import { ADMIN } from '../support/test-app';
import { GENEROUS_RATE_LIMITS } from '../support/rate-limits';
import { LogCapture } from '../support/log-capture';
import { newUser } from '../support/users';

describe('structured request logs', () => {
  let app: INestApplication;
  let http: TestAgent;
  let dataDir: string;
  const logs = new LogCapture();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cloudstash-logging-'));
    // SQLite and no Redis whatever the environment: this suite is about the log lines only.
    const config = loadConfig({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      ...GENEROUS_RATE_LIMITS,
    });
    app = await createApp(config, { logDestination: logs });
    await app.listen(0, '127.0.0.1');
    http = request(app.getHttpServer());
  });
  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes one JSON line per request with method, route, status, duration, user id and request id', async () => {
    const alice = await newUser(http, 'log');
    const res = await http.get(`/user/${alice.username}`).set(alice.auth).set('X-Request-Id', 'trace-abc-123').expect(200);
    expect(res.headers['x-request-id']).toBe('trace-abc-123');

    const line = logs.requestLines().find((l) => l.requestId === 'trace-abc-123');
    expect(line).toMatchObject({
      level: 30,
      method: 'GET',
      route: '/user/:username',
      path: `/user/${alice.username}`,
      status: 200,
      userId: alice.id,
    });
    expect(typeof line?.durationMs).toBe('number');
    expect(logs.requestLines().filter((l) => l.requestId === 'trace-abc-123')).toHaveLength(1);
  });

  it('generates a request id when none is sent, and refuses one that could forge log content', async () => {
    const plain = await http.get('/health').expect(200);
    expect(plain.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const forged = await http.get('/health').set('X-Request-Id', 'x"}{"level":60,"msg":"forged"}').expect(200);
    expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const ids = logs.requestLines().map((l) => l.requestId);
    expect(ids).toContain(plain.headers['x-request-id']);
    expect(ids).toContain(forged.headers['x-request-id']);
  });

  it('logs unknown paths and refusals with their status and no user', async () => {
    const res = await http.get('/nowhere/at/all?secret=1').expect(404);
    const line = logs.requestLines().find((l) => l.requestId === res.headers['x-request-id']);
    expect(line).toMatchObject({ status: 404, route: '(unmatched)', path: '/nowhere/at/all', userId: null });
  });

  it('never writes a password, token, cookie or credential header', async () => {
    const bob = await newUser(http, 'sec');
    const login = await http.post('/login').send({ username: bob.username, password: bob.password }).expect(200);
    const cookie = (login.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
    const token = login.body.token as string;
    await http.get('/').set('Authorization', `Bearer ${token}`).expect(200);
    await http.get(`/user/${bob.username}`).set('X-Session', token).expect(200);
    await http.get(`/user/${bob.username}`).set('token', token).expect(200);
    await http.get(`/user/${bob.username}`).set('Cookie', cookie).expect(200);
    await http.put(`/user/${bob.username}/password`).set('token', token).send({ currentPassword: bob.password, newPassword: 'a-new-password-99' }).expect(204);
    await http.post('/login').send({ username: bob.username, password: 'a-wrong-password-77' }).expect(403);
    await http.get(`/user/${bob.username}?token=${token}`).expect(400);

    expect(logs.requestLines().length).toBeGreaterThan(5);
    for (const secret of [bob.password, 'a-new-password-99', 'a-wrong-password-77', token, token.split('.')[2], cookie.split('=')[1]]) {
      expect(logs.raw).not.toContain(secret);
    }
    expect(logs.raw).not.toMatch(/authorization|x-session|set-cookie/i);
  });

  it('keeps the framework\'s wiring lines (modules, routes) out of info, and writes no error line when nothing failed', () => {
    expect(logs.lines.filter((l) => ['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication'].includes(String(l.context)))).toEqual([]);
    expect(logs.lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });
});
