import * as argon2 from 'argon2';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/test-app';
import { login, newUser } from '../support/users';

/** Issue 9, point 4: argon2id at OWASP's parameters; older hashes are replaced at the next successful login. */
describe('password hashing', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const storedHash = async (username: string): Promise<string> => {
    const [row] = await db.query<{ password_hash: string }[]>(`SELECT password_hash FROM users WHERE username = '${username}'`);
    return row.password_hash;
  };

  it('hashes new passwords with argon2id, 46 MiB, one pass, one lane', async () => {
    const alice = await newUser(t.http, 'hash');
    expect(await storedHash(alice.username)).toMatch(/^\$argon2id\$v=19\$m=47104,p=1,t=1\$/);
  });

  it('replaces a hash made with other parameters at the next successful login, and only then', async () => {
    const bob = await newUser(t.http, 'hash');
    // As an older version stored it: argon2's defaults (64 MiB, three passes, four lanes).
    const old = await argon2.hash(bob.password, { type: argon2.argon2id });
    expect(old).toMatch(/\$m=65536,p=4,t=3\$/);
    await db.query(`UPDATE users SET password_hash = '${old}' WHERE username = '${bob.username}'`);

    await t.http.post('/login').send({ username: bob.username, password: 'not-the-password' }).expect(403);
    expect(await storedHash(bob.username)).toBe(old);

    await login(t.http, bob.username, bob.password);
    const rehashed = await storedHash(bob.username);
    expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=47104,p=1,t=1\$/);
    expect(await argon2.verify(rehashed, bob.password)).toBe(true);
    // The new hash serves the next login, and is kept.
    await login(t.http, bob.username, bob.password);
    expect(await storedHash(bob.username)).toBe(rehashed);
  });
});
