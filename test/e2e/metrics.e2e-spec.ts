import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { MetricsService } from '../../src/observability/metrics.service';
import { makeWav } from '../support/audio';
import { startTestApp, TestApp } from '../support/test-app';
import { newUser } from '../support/users';

/** The value of one sample in Prometheus text format, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = new Map([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(match[3]);
  }
  return undefined;
}

describe('GET /metrics', () => {
  describe('without METRICS_TOKEN', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(() => t.close());

    it('serves Prometheus text with request counts and durations by route pattern and status', async () => {
      const alice = await newUser(t.http, 'met');
      await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(200);
      await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(200);
      await t.http.get('/user/someoneelse').set(alice.auth).expect(403);

      const res = await t.http.get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain;/);
      expect(res.headers['content-type']).toContain('version=0.0.4');
      const text = res.text;
      expect(sample(text, 'cloudstash_http_requests_total', { method: 'GET', route: '/user/:username', status: '200' })).toBe(2);
      expect(sample(text, 'cloudstash_http_requests_total', { method: 'GET', route: '/user/:username', status: '403' })).toBe(1);
      expect(sample(text, 'cloudstash_http_requests_total', { method: 'POST', route: '/register', status: '204' })).toBe(1);
      expect(sample(text, 'cloudstash_http_request_duration_seconds_count', { route: '/user/:username', status: '200' })).toBe(2);
      expect(text).toContain('# TYPE cloudstash_uploads_in_flight gauge');
      expect(text).toContain('# TYPE cloudstash_bytes_uploaded_total counter');
      expect(text).toContain('# TYPE cloudstash_bytes_downloaded_total counter');
      expect(text).toContain('# TYPE cloudstash_sessions_opened_total counter');
      expect(text).toContain('process_cpu_user_seconds_total');
    });

    it('counts sessions opened and ended, by logout and by revocation', async () => {
      const before = (await t.http.get('/metrics').expect(200)).text;
      const opened0 = sample(before, 'cloudstash_sessions_opened_total') ?? 0;
      const ended0 = sample(before, 'cloudstash_sessions_ended_total') ?? 0;

      const dora = await newUser(t.http, 'met');
      const second = await t.http.post('/login').send({ username: dora.username, password: dora.password }).expect(200);
      const third = await t.http.post('/login').send({ username: dora.username, password: dora.password }).expect(200);
      await t.http.post('/logout').set('Authorization', `Bearer ${second.body.token}`).expect(200);
      await t.http.delete('/auth/sessions').set(dora.auth).expect(204);
      await t.http.get('/').set('Authorization', `Bearer ${third.body.token}`).expect(200, { message: 'Hello World' });

      const after = (await t.http.get('/metrics').expect(200)).text;
      expect(sample(after, 'cloudstash_sessions_opened_total')).toBe(opened0 + 3);
      // One by logout, then the one other session left by "end all my other sessions".
      expect(sample(after, 'cloudstash_sessions_ended_total')).toBe(ended0 + 2);
    });

    it('counts bytes uploaded and downloaded by Files and Sounds, and no upload stays in flight', async () => {
      const bob = await newUser(t.http, 'met');
      const file = randomBytes(100_000);
      await t.http.put('/files/data.bin').set(bob.auth).set('Content-Type', 'application/octet-stream').send(file).expect(201);
      await t.http.get('/files/data.bin').set(bob.auth).expect(200);
      await t.http.get('/files/data.bin').set(bob.auth).set('Range', 'bytes=0-999').expect(206);
      const wav = makeWav(0.5);
      const sound = await t.http.post('/sounds').set(bob.auth).attach('file', wav, { filename: 'tone.wav', contentType: 'audio/wav' }).expect(201);
      await t.http.get(`/sounds/${sound.body.id}/stream`).expect(200);

      const text = (await t.http.get('/metrics').expect(200)).text;
      expect(sample(text, 'cloudstash_bytes_uploaded_total', { source: 'files' })).toBe(file.length);
      expect(sample(text, 'cloudstash_bytes_downloaded_total', { source: 'files' })).toBe(file.length + 1000);
      expect(sample(text, 'cloudstash_bytes_uploaded_total', { source: 'sounds' })).toBe(wav.length);
      expect(sample(text, 'cloudstash_bytes_downloaded_total', { source: 'sounds' })).toBe(wav.length);
      expect(sample(text, 'cloudstash_uploads_in_flight')).toBe(0);
    });

    it('shows an upload whose bytes are still arriving in cloudstash_uploads_in_flight', async () => {
      const carol = await newUser(t.http, 'met');
      const port = (t.app.getHttpServer().address() as AddressInfo).port;
      const req = httpRequest({ host: '127.0.0.1', port, method: 'PUT', path: '/files/slow.bin', headers: { ...carol.auth, 'Content-Length': '200000' } });
      const answered = new Promise<number>((resolve, reject) => {
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
      });
      req.write(randomBytes(100_000));
      let inFlight: number | undefined;
      // The first half is on its way: wait for the server to have started storing it.
      while (inFlight !== 1) inFlight = sample((await t.http.get('/metrics').expect(200)).text, 'cloudstash_uploads_in_flight');
      req.end(randomBytes(100_000));
      expect(await answered).toBe(201);
      expect(sample((await t.http.get('/metrics').expect(200)).text, 'cloudstash_uploads_in_flight')).toBe(0);
    });

    it('labels every unknown path with one route value, so 404 floods add no series', async () => {
      for (const path of ['/a1', '/b2/c3', '/d4?x=1']) await t.http.get(path).expect(404);
      const text = (await t.http.get('/metrics').expect(200)).text;
      expect(sample(text, 'cloudstash_http_requests_total', { route: '(unmatched)', status: '404' })).toBe(3);
      expect(text).not.toContain('/b2/c3');
    });

    it('is not in the OpenAPI document', async () => {
      const doc = await t.http.get('/docs-json').expect(200);
      expect(Object.keys(doc.body.paths as object)).not.toContain('/metrics');
    });
  });

  describe('with METRICS_TOKEN', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ METRICS_TOKEN: 'scrape-secret-123' });
    });
    afterAll(() => t.close());

    it('answers 401 {error} without the token or with a wrong one', async () => {
      const none = await t.http.get('/metrics').expect(401);
      expect(typeof none.body.error).toBe('string');
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      await t.http.get('/metrics').set('Authorization', 'Bearer scrape-secret-12').expect(401);
      // A user's session token is no metrics token.
      const alice = await newUser(t.http, 'met');
      await t.http.get('/metrics').set(alice.auth).expect(401);
    });

    it('serves the metrics with the Bearer token', async () => {
      const res = await t.http.get('/metrics').set('Authorization', 'Bearer scrape-secret-123').expect(200);
      expect(res.text).toContain('cloudstash_http_requests_total');
    });
  });

  describe('two apps in one process', () => {
    it('keep separate registries', async () => {
      const one = await startTestApp();
      const two = await startTestApp();
      try {
        await one.http.get('/health').expect(200);
        await one.http.get('/health').expect(200);
        const first = (await one.http.get('/metrics').expect(200)).text;
        const second = (await two.http.get('/metrics').expect(200)).text;
        expect(sample(first, 'cloudstash_http_requests_total', { route: '/health', status: '200' })).toBe(2);
        expect(sample(second, 'cloudstash_http_requests_total', { route: '/health', status: '200' })).toBeUndefined();
        expect(one.app.get(MetricsService)).not.toBe(two.app.get(MetricsService));
      } finally {
        await one.close();
        await two.close();
      }
    });
  });
});
