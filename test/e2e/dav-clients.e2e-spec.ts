import { AddressInfo } from 'node:net';
import { startTestApp, TestApp } from '../support/test-app';
import { newUser } from '../support/users';

const basic = (u: { username: string; password: string }) => ({ Authorization: `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}` });

/** Issue 20, finding 7: what real WebDAV and tus clients send, answered as they need. */
describe('WebDAV and tus as real clients use them', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp();
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  it('answers PROPFIND without Depth (infinity) on a file with 207, as webdav4 sends it; a folder still refuses it', async () => {
    const u = await newUser(t.http, 'wc');
    await t.http.put('/dav/read-me.txt').set(basic(u)).send('hello').expect(201);
    // webdav4's exact request: PROPFIND, no Depth, an allprop-less empty body.
    const file = await t.http.propfind('/dav/read-me.txt').set(basic(u)).send('').expect(207);
    expect(file.text).toContain('<D:getcontentlength>5</D:getcontentlength>');
    expect(file.text.match(/<D:response[ >]/g)).toHaveLength(1);
    const folder = await t.http.propfind('/dav/').set(basic(u)).send('').expect(403);
    expect(folder.text).toContain('propfind-finite-depth');
  });

  it('refuses COPY and MOVE to another server with 502 (RFC 4918), and keeps the source', async () => {
    const u = await newUser(t.http, 'wc');
    await t.http.put('/dav/stay.txt').set(basic(u)).send('stay').expect(201);
    for (const method of ['copy', 'move'] as const) {
      const res = await t.http[method]('/dav/stay.txt').set(basic(u)).set('Destination', 'http://elsewhere.example/dav/stay.txt').expect(502);
      expect(res.body.error).toMatch(/another server/);
    }
    await t.http.move('/dav/stay.txt').set(basic(u)).set('Destination', `${base}/dav/moved.txt`).expect(201);
    await t.http.move('/dav/moved.txt').set(basic(u)).set('Destination', '/dav/moved-again.txt').expect(201);
  });

  it('derives the type of a PUT without Content-Type (or with application/octet-stream) from its name', async () => {
    const u = await newUser(t.http, 'wc');
    await t.http.put('/dav/photo.jpg').set(basic(u)).set('Content-Type', '').send(Buffer.from('jpeg')).expect(201);
    await t.http.put('/dav/page.html').set(basic(u)).set('Content-Type', 'application/octet-stream').send('<p>x</p>').expect(201);
    await t.http.put('/dav/data.json').set(basic(u)).set('Content-Type', 'text/plain').send('{}').expect(201);
    expect((await t.http.get('/dav/photo.jpg').set(basic(u)).expect(200)).headers['content-type']).toBe('image/jpeg');
    const page = await t.http.get('/dav/page.html').set(basic(u)).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    // Served sandboxed as every file is: never script in the app's origin.
    expect(page.headers['content-security-policy']).toContain('sandbox');
    expect((await t.http.get('/dav/data.json').set(basic(u)).expect(200)).headers['content-type']).toMatch(/^text\/plain/);
  });

  it("gives the root the newest change below it as getlastmodified, not 1970", async () => {
    const u = await newUser(t.http, 'wc');
    await t.http.mkcol('/dav/sub').set(basic(u)).expect(201);
    await t.http.put('/dav/sub/new.txt').set(basic(u)).send('n').expect(201);
    const ask = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getlastmodified/></D:prop></D:propfind>';
    const root = await t.http.propfind('/dav/').set(basic(u)).set('Depth', '0').send(ask).expect(207);
    const rootModified = Date.parse(/<D:getlastmodified>([^<]+)</.exec(root.text)![1]);
    const file = await t.http.propfind('/dav/sub/new.txt').set(basic(u)).set('Depth', '0').send(ask).expect(207);
    expect(rootModified).toBe(Date.parse(/<D:getlastmodified>([^<]+)</.exec(file.text)![1]));
  });

  it('answers an unknown route with an XML body 404, not "Malformed JSON"; a known JSON route still 400', async () => {
    const u = await newUser(t.http, 'wc');
    const res = await t.http.post('/no/such/route').set(u.auth).set('Content-Type', 'application/xml').send('<?xml version="1.0"?><x/>').expect(404);
    expect(typeof res.body.error === 'string' || typeof res.body.message === 'string').toBe(true);
    const bad = await t.http.post('/login').set('Content-Type', 'application/json').send('{"username":').expect(400);
    expect(bad.body.error).toMatch(/^Malformed JSON/);
  });
});
