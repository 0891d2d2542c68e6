import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { buildServer, ServerProcess, startServer } from '../support/built-server';
import { startTestApp, TestApp } from '../support/test-app';

const ROOT = resolve(__dirname, '../..');

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((done) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/health', agent: false }, (res) => {
      res.resume();
      done(false);
    });
    req.on('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'));
    req.end();
  });
}

describe('operability', () => {
  describe('start-up log of the built server', () => {
    let server: ServerProcess;
    let dataDir: string;
    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'cloudstash-startup-'));
      server = await startServer(await buildServer(), { DATA_DIR: dataDir, JWT_SECRET: 'startup-test-secret-0123456789' });
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('keeps V8 young generation at its initial size through a 64 MiB upload and download, with no node flag', async () => {
      const http = request(server.url);
      await http.post('/register').send({ username: 'memuser', password: 'mem-password-1' }).expect(204);
      const { token } = (await http.post('/login').send({ username: 'memuser', password: 'mem-password-1' }).expect(200)).body;
      const body = Buffer.alloc(64 * 1024 * 1024, 7);
      await http.put('/files/big.bin').set('Authorization', `Bearer ${token}`).send(body).expect(201);
      await http.get('/files/big.bin').set('Authorization', `Bearer ${token}`).buffer(false).expect(200);
      const metrics = (await http.get('/metrics').expect(200)).text;
      const newSpace = Number(/^nodejs_heap_space_size_total_bytes\{space="new"\} (\d+)/m.exec(metrics)?.[1]);
      // Two 1 MiB semi-spaces (V8's initial size); left to grow, V8 takes up to 2 x 16 MiB.
      expect(newSpace).toBeGreaterThan(0);
      expect(newSpace).toBeLessThanOrEqual(4 * 1024 * 1024);
    });

    it('is the one line a person needs at info level: route mapping and module wiring are debug', () => {
      const before = server.logs.slice(0, server.logs.findIndex((l) => typeof l.msg === 'string' && l.msg.includes('listening on')) + 1);
      expect(before.map((l) => l.msg)).toEqual([expect.stringMatching(/^Cloudstash listening on http:\/\/localhost:\d+ /)]);
      expect(server.logs.some((l) => typeof l.msg === 'string' && l.msg.includes('Mapped'))).toBe(false);
    });
  });

  describe('npm start', () => {
    let dataDir: string;
    beforeAll(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'cloudstash-npm-start-'));
    });
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

    it('builds, serves, and stops when npm gets SIGTERM, freeing the port', async () => {
      const npm = spawn('npm', ['start'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', DATA_DIR: dataDir, JWT_SECRET: 'npm-start-test-secret-0123456789' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      const exited = new Promise<number | null>((done) => npm.once('exit', (code) => done(code)));
      const port = await new Promise<number>((done, fail) => {
        npm.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const match = /listening on http:\/\/localhost:(\d+)/.exec(out);
          if (match) done(Number(match[1]));
        });
        void exited.then((code) => fail(new Error(`npm start exited (${code}) before listening: ${out}`)));
      });
      expect(await connectionRefused(port)).toBe(false);
      npm.kill('SIGTERM');
      await exited;
      expect(await connectionRefused(port)).toBe(true);
    }, 180_000);
  });

  describe('small things people see', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(() => t.close());

    it('serves a favicon, and /favicon.ico leads to it', async () => {
      const res = await t.http.get('/favicon.ico').expect(301);
      expect(res.headers.location).toBe('/app/favicon.svg');
      const icon = await t.http.get('/app/favicon.svg').expect(200);
      expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
      expect((await t.http.get('/app/').expect(200)).text).toContain('rel="icon" href="favicon.svg"');
    });

    it("gives the OpenAPI document package.json's version", async () => {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      const doc = await t.http.get('/docs-json').expect(200);
      expect(doc.body.info.version).toBe(pkg.version);
    });
  });
});
