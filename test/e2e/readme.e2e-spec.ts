import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, TestApp } from '../support/test-app';

const ROOT = resolve(__dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const COMPOSE = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');

/** The README is true: its example runs as pasted, and what it says of the deployment holds. */
describe('README and compose', () => {
  let t: TestApp;
  let workDir: string;
  beforeAll(async () => {
    t = await startTestApp();
    workDir = mkdtempSync(join(tmpdir(), 'cloudstash-readme-'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('the curl example works as pasted (only the port differs)', async () => {
    const block = /```bash\n(# Sign up, log in[\s\S]*?)```/.exec(README)?.[1];
    expect(block).toBeDefined();
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    const script = (block ?? '').replaceAll('localhost:3000', `127.0.0.1:${port}`);
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { cwd: workDir });
    expect(stdout).toContain('"message":"Welcome alice"');
    expect(stdout).toContain('"name":"notes.txt"');
    expect(stdout).toContain('"contentType":"text/plain"');
    expect(stdout).toContain('["notes.txt"]');
    expect(stdout.trimEnd().endsWith('hello from curl')).toBe(true);
  });

  it('points nowhere outside the repository', () => {
    expect(README).not.toMatch(/\.\.\/shared|CONTRACT\.md/);
  });

  it('compose gives the app a stop_grace_period longer than its SHUTDOWN_GRACE', () => {
    const seconds = (raw: string | undefined): number => Number(/^(\d+)s$/.exec(raw ?? '')?.[1] ?? NaN);
    const grace = seconds(/^\s+SHUTDOWN_GRACE: (\S+)$/m.exec(COMPOSE)?.[1]);
    const stop = seconds(/^\s+stop_grace_period: (\S+)$/m.exec(COMPOSE)?.[1]);
    expect(grace).toBeGreaterThan(0);
    expect(stop).toBeGreaterThan(grace);
  });
});
