import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { BlobStore } from '../../src/storage/blob-store';
import { AUDIO_HEADS, AUDIO_LOOKALIKE, makeWav, NOT_AUDIO, REAL_AUDIO } from '../support/audio';
import { startTestApp, TestApp } from '../support/test-app';
import { LoggedInUser, loginAdmin, newUser } from '../support/users';

/** Every blob key in the app's store, to prove that failed or deleted uploads leave none. */
async function blobKeys(t: TestApp): Promise<Set<string>> {
  const keys = new Set<string>();
  for await (const { key } of t.app.get(BlobStore).list()) keys.add(key);
  return keys;
}

function upload(t: TestApp, user: LoggedInUser, bytes: Buffer, filename = 'tone.wav', title?: string) {
  const req = t.http.post('/sounds').set(user.auth).attach('file', bytes, { filename, contentType: 'audio/wav' });
  if (title !== undefined) req.field('title', title);
  return req;
}


describe('sounds (CONTRACT §3 Sounds module)', () => {
  let t: TestApp;
  let alice: LoggedInUser;
  let bob: LoggedInUser;
  const wav = makeWav(1.5);

  beforeAll(async () => {
    t = await startTestApp();
    alice = await newUser(t.http, 'alice');
    bob = await newUser(t.http, 'bob');
  });
  afterAll(() => t.close());

  describe('POST /sounds', () => {
    it('stores a WAV and answers 201 with the sound, its duration read from the bytes', async () => {
      const res = await upload(t, alice, wav, 'tone.wav', 'A tone').expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        title: 'A tone',
        filename: 'tone.wav',
        contentType: 'audio/wav',
        size: wav.length,
        durationSeconds: 1.5,
        artist: null,
        album: null,
        owner: { id: alice.id, username: alice.username },
        createdAt: expect.any(String),
        streamUrl: `/sounds/${res.body.id}/stream`,
      });
      expect(res.body).not.toHaveProperty('blobKey');
    });

    it('defaults the title to the file name, and reads a title sent after the file part', async () => {
      const untitled = await upload(t, alice, wav, 'birdsong.wav').expect(201);
      expect(untitled.body.title).toBe('birdsong.wav');
      const late = await t.http.post('/sounds').set(alice.auth).attach('file', wav, 'late.wav').field('title', 'Late title').expect(201);
      expect(late.body.title).toBe('Late title');
    });

    it('keeps uploads of the same file name as separate sounds with separate blobs', async () => {
      const before = await blobKeys(t);
      const first = await upload(t, alice, wav, 'same.wav').expect(201);
      const second = await upload(t, bob, makeWav(0.5), 'same.wav').expect(201);
      const third = await upload(t, alice, wav, 'same.wav').expect(201);
      expect(new Set([first.body.id, second.body.id, third.body.id]).size).toBe(3);
      const added = [...(await blobKeys(t))].filter((key) => !before.has(key));
      expect(added).toHaveLength(3);
      expect(second.body.durationSeconds).toBe(0.5);
    });

    it.each(Object.entries(REAL_AUDIO))('recognises %s from its bytes and reads its duration', async (_name, { bytes, contentType }) => {
      const res = await t.http.post('/sounds').set(alice.auth).attach('file', bytes, { filename: 'clip.bin', contentType: 'application/octet-stream' }).expect(201);
      expect(res.body.contentType).toBe(contentType);
      expect(res.body.size).toBe(bytes.length);
      expect(res.body.durationSeconds).toBeCloseTo(2, 1);
    });

    it.each(Object.entries(AUDIO_HEADS))('answers 415 to the first bytes of %s with nothing playable after them, and keeps no blob', async (_name, { bytes }) => {
      const before = await blobKeys(t);
      await t.http.post('/sounds').set(alice.auth).attach('file', bytes, { filename: 'clip.mp3', contentType: 'audio/mpeg' }).expect(415);
      expect(await blobKeys(t)).toEqual(before);
    });

    it('answers 415 to an ID3 tag followed by 200 KB of zeros, and keeps no blob', async () => {
      const before = await blobKeys(t);
      const res = await t.http.post('/sounds').set(alice.auth).attach('file', AUDIO_LOOKALIKE, { filename: 'song.mp3', contentType: 'audio/mpeg' }).expect(415);
      expect(typeof res.body.error).toBe('string');
      expect(await blobKeys(t)).toEqual(before);
    });

    it('trusts the bytes over the declared type: a WAV declared as text/plain is audio', async () => {
      const res = await t.http.post('/sounds').set(alice.auth).attach('file', wav, { filename: 'notes.txt', contentType: 'text/plain' }).expect(201);
      expect(res.body.contentType).toBe('audio/wav');
    });

    it.each(Object.entries(NOT_AUDIO))('answers 415 for %s declared as audio/mpeg, and keeps no blob', async (_name, bytes) => {
      const before = await blobKeys(t);
      const res = await t.http.post('/sounds').set(alice.auth).attach('file', bytes, { filename: 'song.mp3', contentType: 'audio/mpeg' }).expect(415);
      expect(typeof res.body.error).toBe('string');
      expect(await blobKeys(t)).toEqual(before);
    });

    it('answers 415 for a large non-audio file without storing it', async () => {
      const before = await blobKeys(t);
      const big = Buffer.alloc(3 * 1024 * 1024, 0x41);
      await t.http.post('/sounds').set(alice.auth).attach('file', big, { filename: 'big.mp3', contentType: 'audio/mpeg' }).expect(415);
      expect(await blobKeys(t)).toEqual(before);
    });

    it('answers 400 when the multipart body has no file part', async () => {
      const res = await t.http.post('/sounds').set(alice.auth).field('title', 'nothing').expect(400);
      expect(typeof res.body.error).toBe('string');
    });

    it('answers 400 when the file is sent under another part name', async () => {
      await t.http.post('/sounds').set(alice.auth).attach('sound', wav, 'tone.wav').expect(400);
    });

    it('answers 400 for a multipart body cut before its closing boundary, and keeps no blob', async () => {
      const before = await blobKeys(t);
      const boundary = 'truncated-boundary';
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.wav"\r\nContent-Type: audio/wav\r\n\r\n`),
        wav.subarray(0, 5000),
      ]);
      const res = await t.http.post('/sounds').set(alice.auth).set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(body).expect(400);
      expect(typeof res.body.error).toBe('string');
      expect(await blobKeys(t)).toEqual(before);
    });

    it('answers 400 for a body that is not multipart', async () => {
      const res = await t.http.post('/sounds').set(alice.auth).send({ file: 'tone.wav' }).expect(400);
      expect(typeof res.body.error).toBe('string');
    });

    it('answers 400 for a title over 255 characters, and keeps no blob', async () => {
      const before = await blobKeys(t);
      await upload(t, alice, wav, 'tone.wav', 'x'.repeat(256)).expect(400);
      expect(await blobKeys(t)).toEqual(before);
    });

    it('answers 401 {error} without a session, with a bad token, and with an ended session', async () => {
      const none = await t.http.post('/sounds').attach('file', wav, 'tone.wav').expect(401);
      expect(typeof none.body.error).toBe('string');
      await t.http.post('/sounds').set('Authorization', 'Bearer not-a-token').attach('file', wav, 'tone.wav').expect(401);
      const carol = await newUser(t.http, 'carol');
      await t.http.post('/logout').set(carol.auth).expect(200);
      await t.http.post('/sounds').set(carol.auth).attach('file', wav, 'tone.wav').expect(401);
    });

    it('accepts the session cookie, X-Session and token headers', async () => {
      await t.http.post('/sounds').set('Cookie', `session=${alice.token}`).attach('file', wav, 'c.wav').expect(201);
      await t.http.post('/sounds').set('X-Session', alice.token).attach('file', wav, 'x.wav').expect(201);
      await t.http.post('/sounds').set('token', alice.token).attach('file', wav, 't.wav').expect(201);
    });

    it('removes the partial blob when the client cuts the connection mid-upload', async () => {
      const before = await blobKeys(t);
      const listed = (await t.http.get('/sounds').query({ owner: alice.username })).body.total as number;
      const { port } = (t.app.getHttpServer() as import('node:http').Server).address() as AddressInfo;
      const boundary = 'cut-boundary';
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.wav"\r\nContent-Type: audio/wav\r\n\r\n`;
      await new Promise<void>((resolve) => {
        const req = httpRequest({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/sounds',
          headers: { ...alice.auth, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(10 * 1024 * 1024) },
        });
        req.on('error', () => resolve());
        req.on('close', () => resolve());
        req.write(head);
        req.write(makeWav(4), () => setTimeout(() => req.destroy(), 50));
      });
      // The server notices the cut asynchronously: poll for the temp file's removal, bounded.
      let orphans: string[] = [];
      for (let i = 0; i < 100; i++) {
        orphans = [...(await blobKeys(t))].filter((key) => !before.has(key));
        if (orphans.length === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(orphans).toEqual([]);
      expect((await t.http.get('/sounds').query({ owner: alice.username })).body.total).toBe(listed);
    });
  });

  describe('GET /sounds/{id} and /sounds/{id}/stream', () => {
    let id: number;
    beforeAll(async () => {
      id = (await upload(t, alice, wav, 'stream.wav').expect(201)).body.id;
    });

    it('shows one sound to anyone', async () => {
      const res = await t.http.get(`/sounds/${id}`).expect(200);
      expect(res.body).toMatchObject({ id, filename: 'stream.wav', owner: { username: alice.username } });
    });

    it('answers 404 {error} for an unknown or malformed id', async () => {
      expect((await t.http.get('/sounds/999999').expect(404)).body.error).toEqual(expect.any(String));
      await t.http.get('/sounds/abc').expect(404);
      await t.http.get('/sounds/999999/stream').expect(404);
    });

    it('streams the whole sound with the headers <audio> needs', async () => {
      const res = await t.http.get(`/sounds/${id}/stream`).responseType('blob').expect(200);
      expect(res.headers['content-type']).toBe('audio/wav');
      expect(res.headers['accept-ranges']).toBe('bytes');
      expect(res.headers['content-length']).toBe(String(wav.length));
      expect((res.body as Buffer).equals(wav)).toBe(true);
    });

    it('answers a Range with 206 and exactly those bytes', async () => {
      const res = await t.http.get(`/sounds/${id}/stream`).set('Range', 'bytes=100-199').responseType('blob').expect(206);
      expect(res.headers['content-range']).toBe(`bytes 100-199/${wav.length}`);
      expect(res.headers['content-length']).toBe('100');
      expect((res.body as Buffer).equals(wav.subarray(100, 200))).toBe(true);
    });

    it('serves open-ended and suffix ranges', async () => {
      const open = await t.http.get(`/sounds/${id}/stream`).set('Range', `bytes=${wav.length - 10}-`).responseType('blob').expect(206);
      expect((open.body as Buffer).equals(wav.subarray(wav.length - 10))).toBe(true);
      const suffix = await t.http.get(`/sounds/${id}/stream`).set('Range', 'bytes=-20').responseType('blob').expect(206);
      expect((suffix.body as Buffer).equals(wav.subarray(wav.length - 20))).toBe(true);
    });

    it('answers HEAD with the headers and no body', async () => {
      const res = await t.http.head(`/sounds/${id}/stream`).expect(200);
      expect(res.headers['content-length']).toBe(String(wav.length));
      expect(res.headers['content-type']).toBe('audio/wav');
      expect(res.text ?? '').toBe('');
    });

    it('answers 416 with Content-Range: bytes */size for a range past the end', async () => {
      const res = await t.http.get(`/sounds/${id}/stream`).set('Range', `bytes=${wav.length}-`).expect(416);
      expect(res.headers['content-range']).toBe(`bytes */${wav.length}`);
      expect(typeof res.body.error).toBe('string');
    });

    it('ignores a Range when If-Range names another version', async () => {
      await t.http.get(`/sounds/${id}/stream`).set('Range', 'bytes=0-9').set('If-Range', '"other"').expect(200);
    });

    it('sends its sha256 as the ETag with Last-Modified, and answers If-None-Match and If-Range like a file', async () => {
      const sound = await t.http.get(`/sounds/${id}/stream`).responseType('blob').expect(200);
      const etag = `"${createHash('sha256').update(wav).digest('hex')}"`;
      expect(sound.headers.etag).toBe(etag);
      expect(Date.parse(sound.headers['last-modified'])).not.toBeNaN();
      await t.http.get(`/sounds/${id}/stream`).set('If-None-Match', etag).expect(304);
      const ranged = await t.http.get(`/sounds/${id}/stream`).set('Range', 'bytes=0-9').set('If-Range', etag).responseType('blob').expect(206);
      expect((ranged.body as Buffer).equals(wav.subarray(0, 10))).toBe(true);
    });
  });

  describe('DELETE /sounds/{id}', () => {
    it('lets the owner delete: 204, then the sound, its stream and its blob are gone', async () => {
      const before = await blobKeys(t);
      const { id } = (await upload(t, alice, wav, 'doomed.wav').expect(201)).body;
      const key = [...(await blobKeys(t))].find((k) => !before.has(k));
      expect(key).toBeDefined();
      await t.http.delete(`/sounds/${id}`).set(alice.auth).expect(204);
      await t.http.get(`/sounds/${id}`).expect(404);
      await t.http.get(`/sounds/${id}/stream`).expect(404);
      expect((await blobKeys(t)).has(key as string)).toBe(false);
      await t.http.delete(`/sounds/${id}`).set(alice.auth).expect(404);
    });

    it("answers 403 {error} for another user's sound and keeps it", async () => {
      const { id } = (await upload(t, alice, wav, 'mine.wav').expect(201)).body;
      const res = await t.http.delete(`/sounds/${id}`).set(bob.auth).expect(403);
      expect(typeof res.body.error).toBe('string');
      await t.http.get(`/sounds/${id}/stream`).expect(200);
    });

    it("lets an admin delete anyone's sound", async () => {
      const admin = await loginAdmin(t.http);
      const { id } = (await upload(t, bob, wav, 'reported.wav').expect(201)).body;
      await t.http.delete(`/sounds/${id}`).set(admin.auth).expect(204);
      await t.http.get(`/sounds/${id}`).expect(404);
    });

    it('answers 401 without a session and 404 for an unknown id', async () => {
      const { id } = (await upload(t, alice, wav, 'kept.wav').expect(201)).body;
      expect((await t.http.delete(`/sounds/${id}`).expect(401)).body.error).toEqual(expect.any(String));
      await t.http.delete('/sounds/999999').set(alice.auth).expect(404);
    });
  });

  describe("deleting a user removes the user's sounds and blobs", () => {
    it('DELETE /user/{username}', async () => {
      const frank = await newUser(t.http, 'frank');
      const before = await blobKeys(t);
      const ids = [(await upload(t, frank, wav).expect(201)).body.id, (await upload(t, frank, wav).expect(201)).body.id];
      const frankKeys = [...(await blobKeys(t))].filter((k) => !before.has(k));
      expect(frankKeys).toHaveLength(2);
      await t.http.delete(`/user/${frank.username}`).set(frank.auth).expect(200);
      for (const id of ids) await t.http.get(`/sounds/${id}`).expect(404);
      const after = await blobKeys(t);
      expect(frankKeys.filter((k) => after.has(k))).toEqual([]);
      expect((await t.http.get(`/sounds?owner=${frank.username}`)).body.total).toBe(0);
    });
  });

  describe('OpenAPI', () => {
    it('documents every sound route with its operation id', async () => {
      const doc = (await t.http.get('/docs-json').expect(200)).body;
      expect(doc.paths['/sounds'].get.operationId).toBe('listSounds');
      expect(doc.paths['/sounds'].post.operationId).toBe('uploadSound');
      expect(doc.paths['/sounds'].post.requestBody.content['multipart/form-data']).toBeDefined();
      expect(doc.paths['/sounds/{id}'].get.operationId).toBe('getSound');
      expect(doc.paths['/sounds/{id}'].delete.operationId).toBe('deleteSound');
      expect(doc.paths['/sounds/{id}/stream'].get.operationId).toBe('streamSound');
    });
  });
});

// The describes below boot their own apps: one with a small MAX_UPLOAD_BYTES, one whose sound
// list holds only the sounds it uploads, so that order and totals are exact.
describe('sounds: POST /sounds over MAX_UPLOAD_BYTES', () => {
  let small: TestApp;
  let user: LoggedInUser;
  beforeAll(async () => {
    small = await startTestApp({ MAX_UPLOAD_BYTES: '4000' });
    user = await newUser(small.http);
  });
  afterAll(() => small.close());

  it('answers 413 {error} and keeps no blob', async () => {
    const res = await upload(small, user, makeWav(1)).expect(413);
    expect(typeof res.body.error).toBe('string');
    expect(await blobKeys(small)).toEqual(new Set());
    expect((await small.http.get('/sounds')).body.total).toBe(0);
  });

  it('still accepts a sound under the limit', async () => {
    await upload(small, user, makeWav(0.1)).expect(201);
  });
});

describe('sounds: GET /sounds', () => {
  let listApp: TestApp;
  let dave: LoggedInUser;
  let erin: LoggedInUser;
  const ids: number[] = [];
  beforeAll(async () => {
    listApp = await startTestApp();
    dave = await newUser(listApp.http, 'dave');
    erin = await newUser(listApp.http, 'erin');
    for (let i = 0; i < 5; i++) {
      const owner = i % 2 === 0 ? dave : erin;
      ids.push((await upload(listApp, owner, makeWav(0.1), `s${i}.wav`).expect(201)).body.id);
    }
  });
  afterAll(() => listApp.close());

  it('is open to anyone and lists newest first with the total', async () => {
    const res = await listApp.http.get('/sounds').expect(200);
    expect(res.body.total).toBe(5);
    expect(res.body.items.map((s: { id: number }) => s.id)).toEqual([...ids].reverse());
    expect(res.body.items[0]).toMatchObject({ title: 's4.wav', owner: { id: dave.id, username: dave.username }, durationSeconds: 0.1 });
  });

  it('pages with limit and offset', async () => {
    const res = await listApp.http.get('/sounds?limit=2&offset=1').expect(200);
    expect(res.body.total).toBe(5);
    expect(res.body.items.map((s: { id: number }) => s.id)).toEqual([ids[3], ids[2]]);
    const past = await listApp.http.get('/sounds?offset=10').expect(200);
    expect(past.body).toEqual({ items: [], total: 5 });
  });

  it("filters by owner=<username>; an unknown owner has no sounds", async () => {
    const res = await listApp.http.get(`/sounds?owner=${erin.username}`).expect(200);
    expect(res.body.total).toBe(2);
    expect(res.body.items.every((s: { owner: { username: string } }) => s.owner.username === erin.username)).toBe(true);
    expect((await listApp.http.get('/sounds?owner=nobody123').expect(200)).body).toEqual({ items: [], total: 0 });
  });

  it.each(['limit=0', 'limit=201', 'limit=abc', 'limit=1.5', 'offset=-1', 'offset=x', 'owner=a&owner=b'])('answers 400 {error} for %s', async (query) => {
    const res = await listApp.http.get(`/sounds?${query}`).expect(400);
    expect(typeof res.body.error).toBe('string');
  });

  it('accepts limit=200', async () => {
    await listApp.http.get('/sounds?limit=200').expect(200);
  });
});
