import { startTestApp, TestApp } from '../support/test-app';
import { LoggedInUser, loginAdmin, newUser } from '../support/users';

const basic = (u: { username: string; password: string }) => ({ Authorization: `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}` });
const XML = { 'Content-Type': 'application/xml' };

/** A PROPPATCH body that sets `count` properties `Z:p<i>` (urn:x), each with `value` as its text. */
function setMany(count: number, value = '', from = 0): string {
  const props = Array.from({ length: count }, (_, i) => `<Z:p${from + i}>${value}</Z:p${from + i}>`).join('');
  return `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:x"><D:set><D:prop>${props}</D:prop></D:set></D:propertyupdate>`;
}

/** Issue 20, findings 1 and 3: what WebDAV stores beside files is capped, counted and cheap to list. */
describe('WebDAV limits: dead properties and locks', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const deadOf = async (u: LoggedInUser, path: string): Promise<string[]> => {
    const res = await t.http.propfind(path).set(basic(u)).set('Depth', '0').set(XML).send('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>').expect(207);
    return [...res.text.matchAll(/<(p\d+) xmlns="urn:x"\/>/g)].map((m) => m[1]);
  };
  const bytesStored = async (u: LoggedInUser): Promise<number> => {
    const admin = await loginAdmin(t.http);
    const listed = await t.http.get('/admin/users').query({ q: u.username }).set(admin.auth).expect(200);
    return listed.body.items[0].bytesStored as number;
  };

  it('refuses a PROPPATCH of 20,000 properties before parsing it (413), and stores none', async () => {
    const u = await newUser(t.http, 'dl');
    await t.http.put('/dav/a.txt').set(basic(u)).send('a').expect(201);
    const res = await t.http.proppatch('/dav/a.txt').set(basic(u)).set(XML).send(setMany(20_000)).expect(413);
    expect(res.body.error).toMatch(/too many elements/);
    expect(await deadOf(u, '/dav/a.txt')).toEqual([]);
  });

  it('keeps at most 100 properties and 64 KiB of them on a resource (507), all or nothing', async () => {
    const u = await newUser(t.http, 'dl');
    await t.http.put('/dav/b.txt').set(basic(u)).send('b').expect(201);
    await t.http.proppatch('/dav/b.txt').set(basic(u)).set(XML).send(setMany(100)).expect(207);
    const over = await t.http.proppatch('/dav/b.txt').set(basic(u)).set(XML).send(setMany(1, '', 100)).expect(507);
    expect(over.body.error).toMatch(/at most 100 properties/);
    expect(await deadOf(u, '/dav/b.txt')).toHaveLength(100);
    // Replacing one that exists is no new property.
    await t.http.proppatch('/dav/b.txt').set(basic(u)).set(XML).send(setMany(1, 'again')).expect(207);

    await t.http.put('/dav/c.txt').set(basic(u)).send('c').expect(201);
    const big = await t.http.proppatch('/dav/c.txt').set(basic(u)).set(XML).send(setMany(2, 'v'.repeat(33_000))).expect(507);
    expect(big.body.error).toMatch(/at most 65536 bytes/);
    expect(await deadOf(u, '/dav/c.txt')).toEqual([]);
  });

  it('counts properties and lock owners in bytesStored and the quota; removing them frees it', async () => {
    const u = await newUser(t.http, 'dl');
    await t.http.put('/dav/q.txt').set(basic(u)).send('0123456789').expect(201);
    expect(await bytesStored(u)).toBe(10);
    await t.http.proppatch('/dav/q.txt').set(basic(u)).set(XML).send(setMany(1, 'x'.repeat(400))).expect(207);
    const withProperty = await bytesStored(u);
    // The property's namespace, name and XML, and 100 bytes for its row.
    expect(withProperty).toBe(10 + 'urn:x'.length + 'p0'.length + '<Z:p0 xmlns:Z="urn:x">'.length + 400 + '</Z:p0>'.length + 100);

    const admin = await loginAdmin(t.http);
    await t.http.patch(`/admin/users/${u.username}`).set(admin.auth).send({ storageQuota: withProperty + 200 }).expect(200);
    // The quota holds against properties…
    const over = await t.http.proppatch('/dav/q.txt').set(basic(u)).set(XML).send(setMany(1, 'y'.repeat(300), 1)).expect(507);
    expect(over.body.error).toBe('Storage quota exceeded');
    // …and files count what properties take.
    await t.http.put('/dav/r.bin').set(basic(u)).send(Buffer.alloc(250)).expect(507);
    await t.http.put('/dav/r.bin').set(basic(u)).send(Buffer.alloc(150)).expect(201);
    // Removing a property is never refused, and gives its bytes back.
    const remove = '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:x"><D:remove><D:prop><Z:p0/></D:prop></D:remove></D:propertyupdate>';
    await t.http.proppatch('/dav/q.txt').set(basic(u)).set(XML).send(remove).expect(207);
    expect(await bytesStored(u)).toBe(160);

    const owner = '<D:owner><D:href>mailto:me@example.org</D:href></D:owner>';
    const lock = `<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype>${owner}</D:lockinfo>`;
    const locked = await t.http.lock('/dav/q.txt').set(basic(u)).set(XML).set('Timeout', 'Infinite').send(lock).expect(200);
    // Infinite is a day.
    expect(locked.text).toContain('<D:timeout>Second-86400</D:timeout>');
    expect(locked.text).toContain('<D:href>mailto:me@example.org</D:href>');
    expect(await bytesStored(u)).toBe(160 + '<D:owner xmlns:D="DAV:"><D:href>mailto:me@example.org</D:href></D:owner>'.length);
  });

  it('keeps a lock owner of at most 4 KiB (413)', async () => {
    const u = await newUser(t.http, 'dl');
    await t.http.put('/dav/o.txt').set(basic(u)).send('o').expect(201);
    const lock = `<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>${'x'.repeat(5000)}</D:owner></D:lockinfo>`;
    const res = await t.http.lock('/dav/o.txt').set(basic(u)).set(XML).send(lock).expect(413);
    expect(res.body.error).toMatch(/at most 4096 bytes/);
    await t.http.put('/dav/o.txt').set(basic(u)).send('still unlocked').expect(204);
  });

  it('writes stored properties back as they were set, namespaces and nesting included, in a Depth 1 listing', async () => {
    const u = await newUser(t.http, 'dl');
    await t.http.mkcol('/dav/d').set(basic(u)).expect(201);
    const value = '<Z:tags xmlns:Z="urn:x" xmlns:Y="urn:y"><Y:tag lang="en">a &amp; b</Y:tag><Z:n/></Z:tags>';
    const patch = `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:x" xmlns:Y="urn:y"><D:set><D:prop>${value}</D:prop></D:set></D:propertyupdate>`;
    for (const name of ['one', 'two']) {
      await t.http.put(`/dav/d/${name}.txt`).set(basic(u)).send(name).expect(201);
      await t.http.proppatch(`/dav/d/${name}.txt`).set(basic(u)).set(XML).send(patch).expect(207);
    }
    const res = await t.http.propfind('/dav/d/').set(basic(u)).set('Depth', '1').set(XML).send('').expect(207);
    expect(res.text.split(value)).toHaveLength(3);
    expect(res.text).not.toContain('cloudstash-raw');
  });
});
