import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { services, startTestApp, TestApp } from '../support/test-app';
import { newUser } from '../support/users';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? [path, ...walk(path)] : [path];
  });
}

const mode = (path: string): number => statSync(path).mode & 0o777;

/** CONTRACT §11: files the server writes under DATA_DIR are readable by its own user only. */
(!services.sqlite || services.s3 ? describe.skip : describe)('DATA_DIR permissions (SQLite + local disk)', () => {
  let parent: string;
  let t: TestApp;
  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'cloudstash-perm-'));
    t = await startTestApp({ DATA_DIR: join(parent, 'created', 'data') });
  });
  afterAll(async () => {
    await t.close();
    rmSync(parent, { recursive: true, force: true });
  });

  it('creates DATA_DIR 0700, and the database (with -wal, -shm), the secret and every blob 0600', async () => {
    const user = await newUser(t.http, 'perm');
    await t.http.put('/files/secret.txt').set(user.auth).send('private bytes').expect(201);
    const dataDir = join(parent, 'created', 'data');
    expect(mode(dataDir)).toBe(0o700);
    const paths = walk(dataDir);
    const names = paths.map((p) => p.slice(dataDir.length + 1));
    expect(names).toEqual(expect.arrayContaining(['cloudstash.sqlite', 'cloudstash.sqlite-wal', 'cloudstash.sqlite-shm', 'jwt-secret']));
    const loose = paths.filter((p) => (statSync(p).isDirectory() ? mode(p) !== 0o700 : mode(p) !== 0o600)).map((p) => `${p} ${mode(p).toString(8)}`);
    expect(loose).toEqual([]);
    expect(paths.filter((p) => statSync(p).isFile() && !p.includes('cloudstash.sqlite') && !p.endsWith('jwt-secret')).length).toBeGreaterThan(0);
  });
});
