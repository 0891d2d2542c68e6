import { createHash, randomBytes } from 'node:crypto';
import request, { Response } from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';
import { LoggedInUser, newUser } from '../support/users';

function bytes(res: Response, done: (error: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

describe('Sharing (CONTRACT §3 Files, S4)', () => {
  let t: TestApp;
  let owner: LoggedInUser;
  let friend: LoggedInUser;
  let stranger: LoggedInUser;
  let fileId: number;
  const content = randomBytes(50_000);

  function upload(user: LoggedInUser, name: string, body: Buffer | string, type = 'application/octet-stream'): request.Test {
    return t.http.put(`/files/${encodeURIComponent(name)}`).set(user.auth).set('Content-Type', type).send(body);
  }

  function downloadById(user: LoggedInUser, id: number | string): request.Test {
    return t.http.post('/download').set(user.auth).send({ file_id: id }).buffer(true).parse(bytes);
  }

  beforeAll(async () => {
    t = await startTestApp();
    owner = await newUser(t.http, 'own');
    friend = await newUser(t.http, 'fri');
    stranger = await newUser(t.http, 'str');
    fileId = (await upload(owner, 'Cat03.jpg', content, 'image/jpeg').expect(201)).body.id;
  });
  afterAll(() => t.close());

  describe('POST /share', () => {
    it('answers 200 {message: "File share success"} and is idempotent', async () => {
      const res = await t.http.post('/share').set(owner.auth).send({ file_id: fileId, user_destination_id: friend.id }).expect(200);
      expect(res.body).toEqual({ message: 'File share success' });
      await t.http.post('/share').set(owner.auth).send({ file_id: fileId, user_destination_id: friend.id }).expect(200);
      const outgoing = await t.http.get('/shares/outgoing').set(owner.auth).expect(200);
      expect(outgoing.body).toHaveLength(1);
    });

    it('takes ids as numeric strings (S4 clients)', async () => {
      const other = (await upload(owner, 'string-ids.txt', 'x').expect(201)).body.id as number;
      await t.http.post('/share').set(owner.auth).send({ file_id: String(other), user_destination_id: String(friend.id) }).expect(200);
      const incoming = await t.http.get('/shares/incoming').set(friend.auth).expect(200);
      expect(incoming.body.map((s: { file_id: number }) => s.file_id)).toContain(other);
    });

    it('answers 404 {error: "File not belong to user_origin"} for a file the caller does not own, or that does not exist', async () => {
      const theirs = (await upload(stranger, 'theirs.txt', 'secret').expect(201)).body.id as number;
      const res = await t.http.post('/share').set(owner.auth).send({ file_id: theirs, user_destination_id: friend.id }).expect(404);
      expect(res.body).toEqual({ error: 'File not belong to user_origin' });
      const missing = await t.http.post('/share').set(owner.auth).send({ file_id: 999_999, user_destination_id: friend.id }).expect(404);
      expect(missing.body).toEqual({ error: 'File not belong to user_origin' });
      // A recipient cannot pass a share on.
      await t.http.post('/share').set(friend.auth).send({ file_id: fileId, user_destination_id: stranger.id }).expect(404);
    });

    it('answers 404 "File not belong to user_origin" to a non-owner who names themselves as destination', async () => {
      const res = await t.http.post('/share').set(stranger.auth).send({ file_id: fileId, user_destination_id: stranger.id }).expect(404);
      expect(res.body).toEqual({ error: 'File not belong to user_origin' });
    });

    it('answers 404 {error: "User_destination not exist"} for an unknown user', async () => {
      const res = await t.http.post('/share').set(owner.auth).send({ file_id: fileId, user_destination_id: 999_999 }).expect(404);
      expect(res.body).toEqual({ error: 'User_destination not exist' });
    });

    it('answers 400 for sharing with oneself and for bad ids', async () => {
      expect((await t.http.post('/share').set(owner.auth).send({ file_id: fileId, user_destination_id: owner.id }).expect(400)).body.error).toEqual(expect.any(String));
      for (const body of [{}, { file_id: fileId }, { file_id: 'abc', user_destination_id: friend.id }, { file_id: -1, user_destination_id: friend.id }, { file_id: 1.5, user_destination_id: friend.id }]) {
        const res = await t.http.post('/share').set(owner.auth).send(body).expect(400);
        expect(typeof res.body.error).toBe('string');
      }
      await t.http.post('/share').set(owner.auth).set('Content-Type', 'application/json').send('{"file_id": ').expect(400);
    });

    it('answers 403 without a session', async () => {
      const res = await t.http.post('/share').send({ file_id: fileId, user_destination_id: friend.id }).expect(403);
      expect(typeof res.body.error).toBe('string');
    });
  });

  describe('GET /shares/incoming and /shares/outgoing', () => {
    it('lists incoming shares as [{file_id, name, owner, size, contentType, sharedAt}]', async () => {
      const res = await t.http.get('/shares/incoming').set(friend.auth).expect(200);
      expect(res.body).toContainEqual({ file_id: fileId, name: 'Cat03.jpg', owner: owner.username, size: content.length, contentType: 'image/jpeg', sharedAt: expect.any(String) });
      expect((await t.http.get('/shares/incoming').set(stranger.auth).expect(200)).body).toEqual([]);
    });

    it('lists outgoing shares as [{file_id, name, user_destination_id, username, sharedAt}]', async () => {
      const res = await t.http.get('/shares/outgoing').set(owner.auth).expect(200);
      expect(res.body).toContainEqual({ file_id: fileId, name: 'Cat03.jpg', user_destination_id: friend.id, username: friend.username, sharedAt: expect.any(String) });
      expect((await t.http.get('/shares/outgoing').set(friend.auth).expect(200)).body).toEqual([]);
    });

    it('answers 403 without a session', async () => {
      await t.http.get('/shares/incoming').expect(403);
      await t.http.get('/shares/outgoing').expect(403);
    });
  });

  describe('GET /files?include=shared', () => {
    it('answers {your_files, shared_files}', async () => {
      const res = await t.http.get('/files?include=shared').set(friend.auth).expect(200);
      expect(res.body.your_files).toEqual([]);
      expect(res.body.shared_files).toEqual(expect.arrayContaining(['Cat03.jpg']));
      const mine = await t.http.get('/files?include=shared').set(owner.auth).expect(200);
      expect(mine.body.your_files).toEqual(expect.arrayContaining(['Cat03.jpg']));
      expect(mine.body.shared_files).toEqual([]);
    });

    it('keeps the plain list to the own files', async () => {
      expect((await t.http.get('/files').set(friend.auth).expect(200)).body).toEqual([]);
    });
  });

  describe('POST /download', () => {
    it('gives the owner the newest version with the same headers as GET /files/{filename}', async () => {
      const res = await downloadById(owner, fileId).expect(200);
      expect(Buffer.compare(res.body as Buffer, content)).toBe(0);
      const get = await t.http.get('/files/Cat03.jpg').set(owner.auth).buffer(true).parse(bytes).expect(200);
      for (const header of ['etag', 'content-type', 'content-length', 'last-modified', 'accept-ranges', 'x-content-type-options', 'content-security-policy']) {
        expect(res.headers[header]).toBe(get.headers[header]);
      }
      expect(res.headers.etag).toBe(`"${createHash('sha256').update(content).digest('hex')}"`);
      expect(res.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    });

    it('gives a user the file is shared with its bytes, also with a numeric-string id', async () => {
      const res = await downloadById(friend, String(fileId)).expect(200);
      expect(Buffer.compare(res.body as Buffer, content)).toBe(0);
      expect(res.headers['content-type']).toBe('image/jpeg');
    });

    it('serves the newest version after a new upload of the name', async () => {
      await upload(owner, 'Cat03.jpg', 'newer', 'image/jpeg').expect(201);
      const res = await downloadById(friend, fileId).expect(200);
      expect(res.body.toString()).toBe('newer');
      await upload(owner, 'Cat03.jpg', content, 'image/jpeg').expect(201);
    });

    it('honours Range and If-None-Match like GET', async () => {
      const range = await downloadById(friend, fileId).set('Range', 'bytes=0-9').expect(206);
      expect(Buffer.compare(range.body as Buffer, content.subarray(0, 10))).toBe(0);
      const etag = range.headers.etag;
      await t.http.post('/download').set(friend.auth).set('If-None-Match', etag).send({ file_id: fileId }).expect(304);
    });

    it('answers 404 {error: "File not belong to user"} to anyone else, and for unknown ids (no existence leak)', async () => {
      const other = await downloadById(stranger, fileId).expect(404);
      const unknown = await downloadById(stranger, 999_999).expect(404);
      expect(JSON.parse(other.body.toString())).toEqual({ error: 'File not belong to user' });
      expect(JSON.parse(unknown.body.toString())).toEqual(JSON.parse(other.body.toString()));
    });

    it('answers 400 for a bad id and 403 without a session', async () => {
      await t.http.post('/download').set(owner.auth).send({ file_id: 'x' }).expect(400);
      await t.http.post('/download').set(owner.auth).send({}).expect(400);
      await t.http.post('/download').send({ file_id: fileId }).expect(403);
    });
  });

  describe('DELETE /share', () => {
    it('ends the share: 204, then the recipient can no longer list or download the file', async () => {
      await t.http.delete('/share').set(owner.auth).send({ file_id: fileId, user_destination_id: friend.id }).expect(204);
      expect((await t.http.get('/shares/incoming').set(friend.auth).expect(200)).body.map((s: { file_id: number }) => s.file_id)).not.toContain(fileId);
      expect((await t.http.get('/files?include=shared').set(friend.auth).expect(200)).body.shared_files).not.toContain('Cat03.jpg');
      await downloadById(friend, fileId).expect(404);
    });

    it('answers 404 when there is no such share, or the file is not the caller\'s', async () => {
      await t.http.delete('/share').set(owner.auth).send({ file_id: fileId, user_destination_id: friend.id }).expect(404);
      await t.http.post('/share').set(owner.auth).send({ file_id: fileId, user_destination_id: friend.id }).expect(200);
      await t.http.delete('/share').set(stranger.auth).send({ file_id: fileId, user_destination_id: friend.id }).expect(404);
      await downloadById(friend, fileId).expect(200);
    });

    it('answers 403 without a session', async () => {
      await t.http.delete('/share').send({ file_id: fileId, user_destination_id: friend.id }).expect(403);
    });
  });

  describe('DELETE /shares/incoming/{file_id}', () => {
    it('lets the recipient decline a share: 204, gone from their lists and downloads, the owner keeps the file', async () => {
      const id = (await upload(owner, 'declined.txt', 'unwanted', 'text/plain').expect(201)).body.id as number;
      await t.http.post('/share').set(owner.auth).send({ file_id: id, user_destination_id: friend.id }).expect(200);
      await t.http.delete(`/shares/incoming/${id}`).set(friend.auth).expect(204);
      const incoming = await t.http.get('/shares/incoming').set(friend.auth).expect(200);
      expect(incoming.body.map((s: { file_id: number }) => s.file_id)).not.toContain(id);
      await downloadById(friend, id).expect(404);
      const outgoing = await t.http.get('/shares/outgoing').set(owner.auth).expect(200);
      expect(outgoing.body.filter((s: { file_id: number }) => s.file_id === id)).toEqual([]);
      await downloadById(owner, id).expect(200);
    });

    it('answers 404 {error} for a file not shared with the caller, their own file, and a bad id', async () => {
      const id = (await upload(owner, 'kept.txt', 'mine', 'text/plain').expect(201)).body.id as number;
      await t.http.post('/share').set(owner.auth).send({ file_id: id, user_destination_id: friend.id }).expect(200);
      expect((await t.http.delete(`/shares/incoming/${id}`).set(stranger.auth).expect(404)).body).toEqual({ error: 'Share not found' });
      await t.http.delete(`/shares/incoming/${id}`).set(owner.auth).expect(404);
      await t.http.delete('/shares/incoming/99999999999999').set(friend.auth).expect(404);
      await t.http.delete('/shares/incoming/abc').set(friend.auth).expect(404);
      // The stranger's attempt ended nothing.
      await downloadById(friend, id).expect(200);
    });

    it('answers 403 without a session', async () => {
      await t.http.delete('/shares/incoming/1').expect(403);
    });
  });

  describe('deletions end shares', () => {
    it('deleting the file removes it from the recipient\'s lists', async () => {
      const id = (await upload(owner, 'temporary.txt', 'bye').expect(201)).body.id as number;
      await t.http.post('/share').set(owner.auth).send({ file_id: id, user_destination_id: friend.id }).expect(200);
      await t.http.delete('/files/temporary.txt').set(owner.auth).expect(204);
      expect((await t.http.get('/shares/incoming').set(friend.auth).expect(200)).body.map((s: { file_id: number }) => s.file_id)).not.toContain(id);
      await downloadById(friend, id).expect(404);
    });

    it("deleting the recipient removes the share from the owner's outgoing list", async () => {
      const leaving = await newUser(t.http, 'lea');
      await t.http.post('/share').set(owner.auth).send({ file_id: fileId, user_destination_id: leaving.id }).expect(200);
      await t.http.delete(`/user/${leaving.username}`).set(leaving.auth).expect(200);
      const outgoing = await t.http.get('/shares/outgoing').set(owner.auth).expect(200);
      expect(outgoing.body.map((s: { user_destination_id: number }) => s.user_destination_id)).not.toContain(leaving.id);
    });
  });
});
