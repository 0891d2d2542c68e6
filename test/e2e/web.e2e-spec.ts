import { startTestApp, TestApp } from '../support/test-app';
import { LoggedInUser, newUser } from '../support/users';

describe('web page (CONTRACT §3 Web page)', () => {
  let t: TestApp;
  let alice: LoggedInUser;
  let bob: LoggedInUser;
  beforeAll(async () => {
    t = await startTestApp();
    alice = await newUser(t.http, 'alice');
    bob = await newUser(t.http, 'bob');
  });
  afterAll(() => t.close());

  describe('static files under /app/', () => {
    it('sends a browser from / to /app/', async () => {
      const res = await t.http.get('/').set('Accept', 'text/html').expect(302);
      expect(res.headers.location).toBe('/app/');
    });

    it('serves the page, its script modules and its styles', async () => {
      const page = await t.http.get('/app/').expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain('<script type="module" src="js/main.js">');
      for (const path of ['/app/js/main.js', '/app/js/api.js', '/app/js/sounds.js', '/app/js/files.js', '/app/js/ui.js']) {
        const res = await t.http.get(path).expect(200);
        expect(res.headers['content-type']).toMatch(/javascript/);
      }
      expect((await t.http.get('/app/styles.css').expect(200)).headers['content-type']).toMatch(/^text\/css/);
    });

    it('redirects /app to /app/ so that relative URLs resolve', async () => {
      const res = await t.http.get('/app').expect(301);
      expect(res.headers.location).toBe('/app/');
    });

    it('answers 404 JSON for a missing file and never serves files outside public/', async () => {
      const missing = await t.http.get('/app/missing.js').expect(404);
      expect(typeof missing.body.error).toBe('string');
      await t.http.get('/app/../package.json').expect(404);
      await t.http.get('/app/%2e%2e/package.json').expect(404);
      await t.http.get('/app/..%2fpackage.json').expect(404);
    });
  });

  describe('GET /directory/users/{username}', () => {
    it("gives a logged-in user another user's id and name, nothing more", async () => {
      const res = await t.http.get(`/directory/users/${bob.username}`).set(alice.auth).expect(200);
      expect(res.body).toEqual({ id: bob.id, username: bob.username });
    });

    it('answers 404 {error} for an unknown name', async () => {
      const res = await t.http.get('/directory/users/nobody12345').set(alice.auth).expect(404);
      expect(typeof res.body.error).toBe('string');
    });

    it('answers 403 {error} without a session (storage style)', async () => {
      const res = await t.http.get(`/directory/users/${bob.username}`).expect(403);
      expect(typeof res.body.error).toBe('string');
    });
  });
});
