import { startTestApp, TestApp } from '../support/test-app';
import { newUser } from '../support/users';

/** CONTRACT §11: names compare exactly on every database (MySQL/MariaDB need a NO PAD collation). */
describe('exact names', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('a username with trailing spaces is not that user', async () => {
    await t.http.post('/register').send({ username: 'padU1', password: 'password-123' }).expect(204);
    await t.http.post('/login').send({ username: 'padU1   ', password: 'password-123' }).expect(403);
    await t.http.post('/authenticate').send({ username: 'padU1 ', password: 'password-123' }).expect(404);
    await t.http.post('/login').send({ username: 'padU1', password: 'password-123' }).expect(200);
  });

  it('"rep " and "rep" are two files, each with its own versions', async () => {
    const user = await newUser(t.http, 'pad');
    await t.http.put('/files/rep').set(user.auth).set('Content-Type', 'text/plain').send('one').expect(201);
    const spaced = await t.http.put('/files/rep%20').set(user.auth).set('Content-Type', 'text/plain').send('two').expect(201);
    expect(spaced.body).toMatchObject({ name: 'rep ', version: 1 });
    expect((await t.http.get('/files').set(user.auth).expect(200)).body).toEqual(['rep', 'rep ']);
    expect((await t.http.get('/files/rep').set(user.auth).expect(200)).text).toBe('one');
    expect((await t.http.get('/files/rep%20').set(user.auth).expect(200)).text).toBe('two');
    await t.http.delete('/files/rep%20%20').set(user.auth).expect(404);
  });

  it('an admin route for "padU1 " finds nobody', async () => {
    const admin = await t.http.post('/login').send({ username: 'admin', password: 'admin-password-1' }).expect(200);
    await t.http.get('/user/padU1%20').set('Authorization', `Bearer ${admin.body.token}`).expect(404);
  });
});
