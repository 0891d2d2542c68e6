import { startTestApp, TestApp } from '../support/test-app';
import { loginAdmin, newUser } from '../support/users';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('registers, logs in and reads the own account', async () => {
    const alice = await newUser(t.http);
    const res = await t.http.get(`/user/${alice.username}`).set(alice.auth).expect(200);
    expect(res.body.username).toBe(alice.username);
    expect(res.body).not.toHaveProperty('password');
  });

  it('logs the start-up admin in', async () => {
    const admin = await loginAdmin(t.http);
    const res = await t.http.get('/admin/users').set(admin.auth).expect(200);
    expect(res.body.total).toBeGreaterThanOrEqual(1);
  });
});
