import { startTestApp, TestApp } from '../support/test-app';
import { loginAdmin, newUser } from '../support/users';

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/** CONTRACT §11: bad input never answers 500. */
describe('bad input', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('deeply nested JSON', () => {
    it.each([
      ['POST /user (free-form data)', '/user', (depth: number) => `{"username":"deepone","password":"password-1","data":${nested(depth)}}`],
      ['POST /login', '/login', (depth: number) => `{"username":${nested(depth)},"password":"x"}`],
      ['POST /authenticate (S2 schema errors)', '/authenticate', (depth: number) => nested(depth)],
    ])('%s: 400 {error} for 100,000 levels, and for 65', async (_label, path, body) => {
      for (const depth of [100_000, 65]) {
        const res = await t.http.post(path).set('Content-Type', 'application/json').send(body(depth));
        expect(res.status).toBe(400);
        expect(res.body.error).toBe('Malformed JSON: nested deeper than 64 levels');
      }
    });

    it('takes 64 levels, and brackets inside strings do not count', async () => {
      const res = await t.http
        .post('/user')
        .send(`{"username":"deeptwo","password":"password-1","data":${nested(60)},"note":"${'['.repeat(500)}"}`)
        .set('Content-Type', 'application/json');
      expect(res.status).toBe(201);
      expect(res.body.data.note).toHaveLength(500);
    });
  });

  describe('out-of-range paging and numbers', () => {
    it.each(['99999999999999999999', '1e21', '1000000001', '-1', '1.5', 'abc'])('GET /sounds?offset=%s is 400 {error}', async (offset) => {
      const res = await t.http.get('/sounds').query({ offset }).expect(400);
      expect(res.body.error).toMatch(/offset/);
    });

    it.each(['0', '201', '99999999999999999999'])('GET /sounds?limit=%s is 400 {error}', async (limit) => {
      const res = await t.http.get('/sounds').query({ limit }).expect(400);
      expect(res.body.error).toMatch(/limit/);
    });

    it('GET /sounds at the largest offset is an empty page', async () => {
      const res = await t.http.get('/sounds').query({ offset: '1000000000' }).expect(200);
      expect(res.body.items).toEqual([]);
    });

    it('GET /admin/users?offset=99999999999999999999 is 400 {error}', async () => {
      const admin = await loginAdmin(t.http);
      const res = await t.http.get('/admin/users').query({ offset: '99999999999999999999' }).set(admin.auth).expect(400);
      expect(res.body.error).toMatch(/offset/);
    });

    it('PATCH /admin/users storageQuota past 2^53 is 400 {error}', async () => {
      const admin = await loginAdmin(t.http);
      const user = await newUser(t.http, 'quota');
      const res = await t.http
        .patch(`/admin/users/${user.username}`)
        .set(admin.auth)
        .set('Content-Type', 'application/json')
        .send('{"storageQuota": 1e300}')
        .expect(400);
      expect(typeof res.body.error).toBe('string');
    });

    it.each(['99999999999999999999', '2147483648', '0', '01', '1e3'])('GET /sounds/%s is 404 {error}', async (id) => {
      const res = await t.http.get(`/sounds/${id}`).expect(404);
      expect(res.body).toEqual({ error: 'Sound not found' });
      await t.http.get(`/sounds/${id}/stream`).expect(404);
    });

    it('GET /files?version beyond an int is 400', async () => {
      const user = await newUser(t.http, 'ver');
      await t.http.put('/files/a.txt').set(user.auth).send('x').expect(201);
      await t.http.get('/files/a.txt').query({ version: '99999999999999999999' }).set(user.auth).expect(400);
    });

    it('POST /share with ids beyond an int is 400', async () => {
      const user = await newUser(t.http, 'share');
      await t.http.post('/share').set(user.auth).send({ file_id: 1e300, user_destination_id: '99999999999999999999' }).expect(400);
    });
  });
});
