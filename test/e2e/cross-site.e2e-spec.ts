import { AddressInfo } from 'node:net';
import { startTestApp, TestApp } from '../support/test-app';
import { newUser, LoggedInUser } from '../support/users';

const REFUSED = { error: 'Cross-site request refused' };

/** CONTRACT §11: a state-changing request carried by the cookie alone, from another origin, is refused. */
describe('cross-site requests', () => {
  let t: TestApp;
  let self: string;
  let alice: LoggedInUser;
  let cookie: string;
  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: 'https://partner.example' });
    self = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    alice = await newUser(t.http, 'xs');
    cookie = `session=${alice.token}`;
  });
  afterAll(() => t.close());

  const putFile = (name: string) => t.http.put(`/files/${name}`).set('Cookie', cookie).set('Content-Type', 'text/plain').send('hello');

  describe('refused with 403 {error}', () => {
    it.each([
      ['Sec-Fetch-Site: same-site (another port of this host)', { 'Sec-Fetch-Site': 'same-site' }],
      ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
      ['an Origin on another port of this host', { Origin: 'http://127.0.0.1:1' }],
      ['Origin: null', { Origin: 'null' }],
      ['a foreign Origin with Sec-Fetch-Site: same-origin missing', { Origin: 'https://evil.example' }],
    ])('%s', async (_label, headers) => {
      await putFile('a.txt').set(headers).expect(403, REFUSED);
      await t.http.post('/logout').set('Cookie', cookie).set(headers).expect(403, REFUSED);
      await t.http.post('/share').set('Cookie', cookie).set(headers).set('Content-Type', 'text/plain').send('{"file_id":1,"user_destination_id":2}').expect(403, REFUSED);
      await t.http
        .post('/sounds')
        .set('Cookie', cookie)
        .set(headers)
        .attach('file', Buffer.from('RIFF'), 'a.wav')
        .expect(403, REFUSED);
      await t.http.post('/upload').set('Cookie', cookie).set(headers).attach('file', Buffer.from('x'), 'b.txt').expect(403, REFUSED);
      // Nothing was stored, and the session still works.
      const list = await t.http.get('/files').set(alice.auth).expect(200);
      expect(list.body).toEqual([]);
    });
  });

  describe('allowed', () => {
    it('from this origin (the web page)', async () => {
      await putFile('same-origin.txt').set({ 'Sec-Fetch-Site': 'same-origin', Origin: self }).expect(201);
    });

    it('from an origin in CORS_ORIGINS', async () => {
      await putFile('partner.txt').set({ Origin: 'https://partner.example' }).expect(201);
    });

    it('typed into the address bar or a bookmark (Sec-Fetch-Site: none)', async () => {
      await putFile('none.txt').set({ 'Sec-Fetch-Site': 'none' }).expect(201);
    });

    it('with neither header: curl or an S4 client with a cookie jar', async () => {
      await putFile('curl.txt').expect(201);
    });

    it('with a header credential, whatever the origin: a page cannot add one', async () => {
      await t.http.put('/files/bearer.txt').set(alice.auth).set('Cookie', cookie).set('Origin', 'https://evil.example').send('x').expect(201);
      await t.http.put('/files/xsession.txt').set('X-Session', alice.token).set('Sec-Fetch-Site', 'cross-site').send('x').expect(201);
    });

    it('decided by the credential used: an Authorization that is not what authenticates (the cookie does) is refused cross-site', async () => {
      for (const authorization of ['Basic Z2FyYmFnZQ==', 'Negotiate abc', 'Bearer']) {
        const res = await t.http.put('/files/other-auth.txt').set('Authorization', authorization).set('Cookie', cookie).set('Sec-Fetch-Site', 'cross-site').send('x');
        expect([authorization, res.status, res.body]).toEqual([authorization, 403, REFUSED]);
      }
    });

    it('for reads: GET and HEAD are never refused', async () => {
      await t.http.get('/files').set('Cookie', cookie).set('Sec-Fetch-Site', 'cross-site').expect(200);
    });

    it('without the session cookie: a cross-site login form opens no session of anyone', async () => {
      await t.http.post('/login').set('Sec-Fetch-Site', 'cross-site').send({ username: alice.username, password: alice.password }).expect(200);
    });
  });
});
