import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { makeWav } from '../support/audio';
import { buildServer, ServerProcess, startServer } from '../support/built-server';

/**
 * music-metadata is ESM-only and the app compiles to CommonJS: Jest runs the TypeScript, so this
 * suite proves the loader in the compiled server too (what `npm start` and `node dist/main.js` run).
 */
describe('sounds in the compiled server (npm start)', () => {
  let server: ServerProcess;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cloudstash-built-sounds-'));
    server = await startServer(await buildServer(), { DATA_DIR: dataDir, JWT_SECRET: 'built-server-test-secret-0123456789' });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads the duration of an uploaded WAV and serves the page at /app/', async () => {
    const http = request(server.url);
    await http.post('/register').send({ username: 'builtuser', password: 'built-password-1' }).expect(204);
    const { token } = (await http.post('/login').send({ username: 'builtuser', password: 'built-password-1' }).expect(200)).body;
    const res = await http.post('/sounds').set('Authorization', `Bearer ${token}`).attach('file', makeWav(1.25), 'built.wav').expect(201);
    expect(res.body.durationSeconds).toBe(1.25);
    expect((await http.get('/app/').expect(200)).text).toContain('Cloudstash');
  });
});
