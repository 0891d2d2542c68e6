import { createHash, Hash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, get, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { startS3rver, TestS3 } from '../../test/support/s3';
import { DependencyUnavailableError } from '../availability/dependency-errors';
import { BlobNotFoundError, BlobStore, BlobTooLargeError, StorageFullError } from './blob-store';
import { LocalBlobStore } from './local-blob-store';
import { createS3Client, S3BlobStore } from './s3-blob-store';
import { writesThroughToSocket } from './socket-sender';

interface Driver {
  store: BlobStore;
  /** Names of write leftovers that are not blobs (temp files); empty when the store is clean. */
  leftovers(): string[];
  /** The same kind of store pointed at something that does not exist. */
  unreachable(): BlobStore;
  stop(): Promise<void>;
}

async function localDriver(): Promise<Driver> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudstash-blobs-'));
  const store = new LocalBlobStore(join(dir, 'blobs'));
  await store.init();
  return {
    store,
    leftovers: () => readdirSync(join(dir, 'blobs', '.tmp')),
    unreachable: () => new LocalBlobStore(join(dir, 'missing')),
    stop: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function s3Driver(): Promise<Driver> {
  const s3: TestS3 = await startS3rver();
  const settings = { endpoint: s3.endpoint, region: 'us-east-1', bucket: s3.bucket, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true };
  const store = new S3BlobStore(createS3Client(settings), s3.bucket);
  const others: BlobStore[] = [];
  return {
    store,
    // Incomplete multipart parts are not objects: keys() and stat() already prove none is visible.
    leftovers: () => [],
    unreachable: () => {
      const other = new S3BlobStore(createS3Client(settings), 'no-such-bucket');
      others.push(other);
      return other;
    },
    stop: async () => {
      await Promise.all([store, ...others].map((s) => s.close()));
      await s3.stop();
    },
  };
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Yields `data` in uneven slices, so that chunk borders fall anywhere. */
function sourceOf(data: Buffer, slice = 100_003): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < data.length; at += slice) yield data.subarray(at, at + slice);
    })(),
  );
}

/** Sends `bytes` bytes, then fails the way a cut connection does. */
function failingSource(bytes: number, error = new Error('connection cut')): Readable {
  return Readable.from(
    (async function* () {
      for (let sent = 0; sent < bytes; sent += 65_536) yield randomBytes(Math.min(65_536, bytes - sent));
      throw error;
    })(),
  );
}

/** An error with a network code, as Node gives a socket's: says nothing about the store when it is not the store's. */
function networkError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A real HTTP server whose every request is answered by `handler`; the outcome of each is kept. */
async function serve(handler: (res: ServerResponse) => Promise<void>): Promise<{ server: Server; url: string; outcomes: Promise<unknown>[] }> {
  const outcomes: Promise<unknown>[] = [];
  const server = createServer((_req, res) => {
    const outcome = handler(res);
    outcome.catch(() => undefined);
    outcomes.push(outcome);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, outcomes };
}

function stopServer(server: Server): void {
  server.close();
  server.closeAllConnections();
}

function fetchBytes(url: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, (res: IncomingMessage) => {
      readAll(res).then((body) => resolve({ status: res.statusCode ?? 0, body }), reject);
    }).on('error', reject);
  });
}

async function allKeys(store: BlobStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of store.list()) keys.push(key);
  return keys.sort();
}

describe.each([
  ['local', localDriver],
  ['s3 (s3rver)', s3Driver],
])('BlobStore driver: %s', (_name, makeDriver) => {
  let driver: Driver;
  let store: BlobStore;

  beforeEach(async () => {
    driver = await makeDriver();
    store = driver.store;
  });
  afterEach(async () => {
    await driver.stop();
  });

  it('generates distinct keys that are safe path segments', () => {
    const a = store.newKey();
    const b = store.newKey();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });

  it('writes and reads back byte-exact, with size and sha256 computed while streaming', async () => {
    // Over one 8 MiB multipart part, so that the s3 driver completes a real multipart upload.
    const data = randomBytes(9 * 1024 * 1024 + 17);
    const key = store.newKey();
    const result = await store.write(key, sourceOf(data), { maxBytes: data.length, contentType: 'audio/mpeg' });
    expect(result).toEqual({ size: data.length, sha256: sha256(data) });
    expect(await store.stat(key)).toEqual({ size: data.length });
    const back = await readAll(await store.read(key));
    expect(back.length).toBe(data.length);
    expect(back.equals(data)).toBe(true);
    expect(await allKeys(store)).toEqual([key]);
    expect(driver.leftovers()).toEqual([]);
  });

  it('stores an empty blob', async () => {
    const key = store.newKey();
    const result = await store.write(key, Readable.from([]));
    expect(result).toEqual({ size: 0, sha256: sha256(Buffer.alloc(0)) });
    expect(await store.stat(key)).toEqual({ size: 0 });
    expect((await readAll(await store.read(key))).length).toBe(0);
  });

  it('accepts string chunks as their UTF-8 bytes', async () => {
    const key = store.newKey();
    const result = await store.write(key, Readable.from(['héllo', ' wörld'], { objectMode: false }));
    expect(result.size).toBe(Buffer.byteLength('héllo wörld'));
    expect((await readAll(await store.read(key))).toString('utf8')).toBe('héllo wörld');
  });

  it('reads inclusive byte ranges', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    const key = store.newKey();
    await store.write(key, sourceOf(data));
    const ranges: [number, number][] = [
      [0, 0],
      [0, 99],
      [1_048_570, 1_048_600],
      [1000, 2 * 1024 * 1024 + 1234],
      [data.length - 1, data.length - 1],
      [0, data.length - 1],
    ];
    for (const [start, end] of ranges) {
      const part = await readAll(await store.read(key, { start, end }));
      expect(part.equals(data.subarray(start, end + 1))).toBe(true);
    }
  });

  describe('sendTo', () => {
    let data: Buffer;
    let key: string;
    beforeEach(async () => {
      data = randomBytes(9 * 1024 * 1024 + 3);
      key = store.newKey();
      await store.write(key, sourceOf(data));
    });

    it('sends the whole blob and ranges byte-exact into an HTTP response, and ends it', async () => {
      const ranges: ([number, number] | undefined)[] = [undefined, [0, 0], [5, 4 * 1024 * 1024 + 7], [data.length - 10, data.length - 1]];
      for (const range of ranges) {
        const { server, url, outcomes } = await serve((res) => store.sendTo(key, res, range && { start: range[0], end: range[1] }));
        try {
          const { status, body } = await fetchBytes(url);
          expect(status).toBe(200);
          expect(body.equals(range ? data.subarray(range[0], range[1] + 1) : data)).toBe(true);
          await expect(outcomes[0]).resolves.toBeUndefined();
        } finally {
          stopServer(server);
        }
      }
    });

    it('rejects with BlobNotFoundError before writing anything', async () => {
      let headersSent: boolean | undefined;
      const { server, url, outcomes } = await serve(async (res) => {
        try {
          await store.sendTo(store.newKey(), res);
        } finally {
          headersSent = res.headersSent;
          res.statusCode = 404;
          res.end();
        }
      });
      try {
        expect((await fetchBytes(url)).status).toBe(404);
        await expect(outcomes[0]).rejects.toBeInstanceOf(BlobNotFoundError);
        expect(headersSent).toBe(false);
      } finally {
        stopServer(server);
      }
    });

    it('rejects, without hanging, when the client goes away mid-download', async () => {
      const big = store.newKey();
      await store.write(big, sourceOf(Buffer.alloc(64 * 1024 * 1024, 7)));
      const { server, url, outcomes } = await serve((res) => store.sendTo(big, res));
      try {
        await new Promise<void>((resolve, reject) => {
          const req = get(url, (res) => {
            res.once('data', () => {
              req.destroy();
              resolve();
            });
          });
          req.on('error', reject);
        });
        await expect(outcomes[0]).rejects.toThrow();
      } finally {
        stopServer(server);
      }
    });

    it('into a stream that keeps chunks (not a socket) the bytes are still exact', async () => {
      const sink = new PassThrough({ highWaterMark: 64 * 1024 * 1024 });
      const received = readAll(sink);
      await store.sendTo(key, sink, { start: 1, end: data.length - 2 });
      expect((await received).equals(data.subarray(1, data.length - 1))).toBe(true);
    });
  });

  it('accepts exactly maxBytes', async () => {
    const data = randomBytes(1000);
    const key = store.newKey();
    await expect(store.write(key, sourceOf(data, 7), { maxBytes: 1000 })).resolves.toEqual({ size: 1000, sha256: sha256(data) });
  });

  it('rejects one byte over maxBytes with BlobTooLargeError and keeps nothing', async () => {
    const key = store.newKey();
    const source = sourceOf(randomBytes(1001), 7);
    const write = store.write(key, source, { maxBytes: 1000 });
    await expect(write).rejects.toBeInstanceOf(BlobTooLargeError);
    await expect(write).rejects.toMatchObject({ limit: 1000 });
    expect(await store.stat(key)).toBeNull();
    expect(await allKeys(store)).toEqual([]);
    expect(driver.leftovers()).toEqual([]);
  });

  it('stops reading a large oversized source early and leaves it undestroyed for the caller', async () => {
    const key = store.newKey();
    let produced = 0;
    const source = new Readable({
      read() {
        // An endless source: the write can only finish by giving up on it.
        produced += 65_536;
        this.push(Buffer.alloc(65_536, 1));
      },
    });
    await expect(store.write(key, source, { maxBytes: 20 * 1024 * 1024 })).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(source.destroyed).toBe(false);
    expect(produced).toBeLessThan(40 * 1024 * 1024);
    expect(await store.stat(key)).toBeNull();
    expect(await allKeys(store)).toEqual([]);
    expect(driver.leftovers()).toEqual([]);
    source.destroy();
  });

  it('a source that fails midway rejects with its error and leaves nothing', async () => {
    const key = store.newKey();
    await expect(store.write(key, failingSource(10 * 1024 * 1024))).rejects.toThrow('connection cut');
    expect(await store.stat(key)).toBeNull();
    expect(await allKeys(store)).toEqual([]);
    expect(driver.leftovers()).toEqual([]);
    await expect(store.read(key)).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it("a source that fails with a network code is the client's failure, not the store's: its own error, untranslated", async () => {
    const key = store.newKey();
    const reset = networkError('ECONNRESET', 'aborted');
    const write = store.write(key, failingSource(10 * 1024 * 1024, reset));
    await expect(write).rejects.toBe(reset);
    await expect(write).rejects.not.toBeInstanceOf(DependencyUnavailableError);
    expect(await store.stat(key)).toBeNull();
    expect(driver.leftovers()).toEqual([]);
  });

  it('a source destroyed midway (client abort) leaves nothing', async () => {
    const key = store.newKey();
    const source = new Readable({ read() {} });
    source.push(randomBytes(100_000));
    setImmediate(() => source.destroy(new Error('aborted')));
    await expect(store.write(key, source)).rejects.toThrow('aborted');
    expect(await store.stat(key)).toBeNull();
    expect(await allKeys(store)).toEqual([]);
    expect(driver.leftovers()).toEqual([]);
  });

  describe('resumable blobs', () => {
    /** Appends like a tus server would: each append starts at the recorded offset, with the recorded state. */
    function recorder(): { offset: number; durable: number; state: string; append(key: string, source: Readable, length: number, hash?: Hash): Promise<number> } {
      const r = {
        offset: 0,
        durable: 0,
        state: '',
        append: (key: string, source: Readable, length: number, hash?: Hash) =>
          store.appendResumable(key, r.state, source, {
            offset: r.offset,
            durable: r.durable,
            length,
            hash,
            record: async ({ offset, durable, state }) => {
              expect(durable).toBeLessThanOrEqual(offset);
              expect(durable).toBeGreaterThanOrEqual(r.durable);
              r.offset = offset;
              r.durable = durable;
              r.state = state;
            },
          }),
      };
      return r;
    }

    it('are written over many appends of any size, invisible until complete, then byte-exact with a hash kept across appends', async () => {
      const data = randomBytes(21 * 1024 * 1024 + 17);
      const key = store.newKey();
      const r = recorder();
      r.state = await store.startResumable(key, 'application/x-test');
      const hash = createHash('sha256');
      // Below a part, exactly a part, a tail that grows into a part, then the rest.
      const mib = 1024 * 1024;
      const cuts = [1_000_000, 1_000_000 + 8 * mib, 1_000_000 + 11 * mib, 1_000_000 + 15 * mib, data.length];
      let at = 0;
      for (const cut of cuts) {
        expect(await r.append(key, sourceOf(data.subarray(at, cut)), data.length, hash)).toBe(cut);
        expect(r.offset).toBe(cut);
        // S3 holds every part and tail durably once it answered; the local file is synced at least every 64 MiB.
        if (_name === 'local') expect(r.offset - r.durable).toBeLessThan(64 * mib);
        else expect(r.durable).toBe(cut);
        at = cut;
        if (cut < data.length) expect(await store.stat(key)).toBeNull();
      }
      // The last byte is durable before it is recorded, whatever the driver.
      expect(r.durable).toBe(data.length);
      await store.completeResumable(key, r.state);
      // A retry after an attempt whose answer was lost is no error.
      await store.completeResumable(key, r.state);
      expect(sha256(await readAll(await store.read(key)))).toBe(sha256(data));
      expect(hash.digest('hex')).toBe(sha256(data));
      expect(await allKeys(store)).toEqual([key]);
      expect(driver.leftovers()).toEqual([]);
    });

    it('an append whose source fails keeps the recorded offset, and the next append from there gives exact bytes', async () => {
      const data = randomBytes(2 * 1024 * 1024);
      const key = store.newKey();
      const r = recorder();
      r.state = await store.startResumable(key, 'application/octet-stream');
      await r.append(key, sourceOf(data.subarray(0, 1024 * 1024)), data.length);
      // Bytes that came before the failure are not recorded (S3 keeps them in memory only).
      await expect(r.append(key, failingSource(300_000), data.length)).rejects.toThrow('connection cut');
      expect(r.offset).toBe(1024 * 1024);
      await r.append(key, sourceOf(data.subarray(r.offset)), data.length);
      await store.completeResumable(key, r.state);
      expect(sha256(await readAll(await store.read(key)))).toBe(sha256(data));
    });

    it("an error of record (the caller's database) reaches the caller as it was, network code and all", async () => {
      const key = store.newKey();
      const state = await store.startResumable(key, 'application/octet-stream');
      const refused = networkError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:3306');
      const append = store.appendResumable(key, state, sourceOf(randomBytes(1000)), {
        offset: 0,
        durable: 0,
        length: 2000,
        record: () => Promise.reject(refused),
      });
      await expect(append).rejects.toBe(refused);
      await store.abortResumable(key, state);
    });

    it('sweepResumables removes what a given-up upload left, unless it is in use or recent', async () => {
      const key = store.newKey();
      const r = recorder();
      r.state = await store.startResumable(key, 'application/octet-stream');
      // Few bytes: on S3 they become a tail object, on disk the file in `.uploads/`.
      await r.append(key, sourceOf(randomBytes(1000)), 5000);
      const done = store.newKey();
      await store.write(done, sourceOf(randomBytes(10)));
      const asked: string[] = [];
      const inUse = (answer: boolean) => async (k: string) => {
        asked.push(k);
        return answer;
      };
      const future = new Date(Date.now() + 60_000);

      expect(await store.sweepResumables(new Date(Date.now() - 60_000), inUse(false))).toBe(0);
      expect(await store.sweepResumables(future, inUse(true))).toBe(0);
      expect(asked).toContain(key);
      expect(await store.sweepResumables(future, inUse(false))).toBe(1);
      expect(await store.sweepResumables(future, inUse(false))).toBe(0);
      expect(asked.every((k) => k === key)).toBe(true);
      expect(await allKeys(store)).toEqual([done]);
    });

    it('refuses bytes past the length, completes an empty blob, and abort leaves nothing', async () => {
      const key = store.newKey();
      const r = recorder();
      r.state = await store.startResumable(key, 'application/octet-stream');
      await expect(r.append(key, sourceOf(Buffer.alloc(11)), 10)).rejects.toBeInstanceOf(BlobTooLargeError);
      await r.append(key, sourceOf(Buffer.alloc(4)), 10);
      await store.abortResumable(key, r.state);
      await store.abortResumable(key, r.state);
      expect(await store.stat(key)).toBeNull();

      const empty = store.newKey();
      await store.completeResumable(empty, await store.startResumable(empty, 'text/plain'));
      expect((await readAll(await store.read(empty))).length).toBe(0);
      expect(await allKeys(store)).toEqual([empty]);
      expect(driver.leftovers()).toEqual([]);
    });
  });

  it('delete removes the blob and is idempotent', async () => {
    const keep = store.newKey();
    const gone = store.newKey();
    await store.write(keep, sourceOf(Buffer.from('keep')));
    await store.write(gone, sourceOf(Buffer.from('gone')));
    await store.delete(gone);
    await store.delete(gone);
    await store.delete(store.newKey());
    expect(await store.stat(gone)).toBeNull();
    await expect(store.read(gone)).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(await allKeys(store)).toEqual([keep]);
  });

  it('stat and read of a key that never existed: null and BlobNotFoundError', async () => {
    const key = store.newKey();
    expect(await store.stat(key)).toBeNull();
    await expect(store.read(key)).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('list() gives every blob with its size and when it was written', async () => {
    const before = Date.now() - 2000;
    const written = [];
    for (let i = 0; i < 5; i++) {
      const key = store.newKey();
      await store.write(key, sourceOf(randomBytes(10 + i)));
      written.push({ key, size: 10 + i });
    }
    const entries = [];
    for await (const entry of store.list()) entries.push(entry);
    expect(entries.map(({ key, size }) => ({ key, size })).sort((a, b) => a.key.localeCompare(b.key))).toEqual(written.sort((a, b) => a.key.localeCompare(b.key)));
    for (const { modifiedAt } of entries) {
      // A Date, though not of the test's realm when it comes from fs.stat (so no toBeInstanceOf); s3rver keeps whole seconds.
      expect(modifiedAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(modifiedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    }
  });

  it('refuses keys it did not generate (no path or object-name injection)', async () => {
    for (const bad of ['../../etc/passwd', '', 'ABCDEF0123456789abcdef0123456789', 'a'.repeat(33)]) {
      await expect(store.stat(bad)).rejects.toThrow('invalid blob key');
      await expect(store.write(bad, sourceOf(Buffer.from('x')))).rejects.toThrow('invalid blob key');
    }
  });

  it('ping succeeds on a reachable store and fails on a missing one', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    await expect(driver.unreachable().ping()).rejects.toThrow();
  });
});

/** A LocalBlobStore on a fresh directory, started, then closed and removed; `tmp` is its temp folder. */
async function withLocalStore(test: (store: LocalBlobStore, tmp: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudstash-blobs-'));
  const store = new LocalBlobStore(dir);
  try {
    await store.init();
    await test(store, join(dir, '.tmp'));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('LocalBlobStore temp files', () => {
  it('start-up removes temp files idle for over an hour and keeps recent ones', () =>
    withLocalStore(async (store, tmp) => {
      writeFileSync(join(tmp, 'old'), 'x');
      writeFileSync(join(tmp, 'new'), 'x');
      const old = new Date(Date.now() - 61 * 60_000);
      utimesSync(join(tmp, 'old'), old, old);
      await store.init();
      expect(readdirSync(tmp)).toEqual(['new']);
    }));

  it('the periodic sweep removes what went stale while running', () =>
    withLocalStore(async (store, tmp) => {
      writeFileSync(join(tmp, 'left'), 'x');
      await store.sweepStaleTemp(Date.now() + 30 * 60_000);
      expect(readdirSync(tmp)).toEqual(['left']);
      await store.sweepStaleTemp(Date.now() + 61 * 60_000);
      expect(readdirSync(tmp)).toEqual([]);
    }));

  it("delete(key) also removes that key's temp files left by a write that never finished", () =>
    withLocalStore(async (store, tmp) => {
      const key = store.newKey();
      const other = store.newKey();
      writeFileSync(join(tmp, `${key}.0badf00d`), 'x');
      writeFileSync(join(tmp, `${other}.0badf00d`), 'x');
      await store.delete(key);
      expect(readdirSync(tmp)).toEqual([`${other}.0badf00d`]);
    }));
});

describe('S3BlobStore against s3rver', () => {
  let s3: TestS3;
  let store: S3BlobStore;
  beforeEach(async () => {
    s3 = await startS3rver();
    const settings = { endpoint: s3.endpoint, region: 'us-east-1', bucket: s3.bucket, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true };
    store = new S3BlobStore(createS3Client(settings), s3.bucket);
  });
  afterEach(async () => {
    await store.close();
    await s3.stop();
  });

  it("a store that is down is the store's failure: DependencyUnavailableError('storage'), and writes work again once it is back", async () => {
    await s3.pause();
    const write = store.write(store.newKey(), sourceOf(randomBytes(1000)));
    await expect(write).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(write).rejects.toMatchObject({ dependency: 'storage' });
    await expect(store.stat(store.newKey())).rejects.toBeInstanceOf(DependencyUnavailableError);
    await s3.resume();
    const key = store.newKey();
    await store.write(key, sourceOf(Buffer.from('back')));
    expect(await store.stat(key)).toEqual({ size: 4 });
  });

  it('sweepResumables sweeps the tails and says that s3rver lists no multipart uploads, without failing', async () => {
    const key = store.newKey();
    const state = await store.startResumable(key, 'application/octet-stream');
    await store.appendResumable(key, state, sourceOf(randomBytes(100)), { offset: 0, durable: 0, length: 1000, record: async () => undefined });
    expect(store.sweepSkipped).toBeUndefined();
    expect(await store.sweepResumables(new Date(Date.now() + 60_000), async () => false)).toBe(1);
    expect(store.sweepSkipped).toMatch(/multipart/);
  });
});

/** Fills the filesystem of `path` with one file, until the disk says ENOSPC. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(256 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

// A real full disk: a 4 MiB tmpfs, which only root may mount.
(process.getuid?.() === 0 ? describe : describe.skip)('LocalBlobStore on a full disk', () => {
  let disk: string;
  let store: LocalBlobStore;
  let filler: string;
  beforeAll(() => {
    disk = mkdtempSync(join(tmpdir(), 'cloudstash-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', disk]);
    filler = join(disk, 'filler');
  });
  afterAll(() => {
    execFileSync('umount', ['-l', disk]);
    rmSync(disk, { recursive: true, force: true });
  });
  beforeEach(async () => {
    store = new LocalBlobStore(join(disk, 'blobs'));
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    rmSync(join(disk, 'blobs'), { recursive: true, force: true });
    rmSync(filler, { force: true });
  });

  it('a write rejects with StorageFullError and leaves no temp file, ping fails; once space is freed both work', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    fill(filler);
    const key = store.newKey();
    const write = store.write(key, sourceOf(randomBytes(256 * 1024)));
    await expect(write).rejects.toBeInstanceOf(StorageFullError);
    await expect(write).rejects.toMatchObject({ message: 'no space left to store blobs', cause: { code: 'ENOSPC' } });
    expect(readdirSync(join(disk, 'blobs', '.tmp'))).toEqual([]);
    expect(await store.stat(key)).toBeNull();
    await expect(store.ping()).rejects.toBeInstanceOf(StorageFullError);

    rmSync(filler);
    await expect(store.write(key, sourceOf(Buffer.from('room again')))).resolves.toMatchObject({ size: 10 });
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('an append that fills the disk records nothing it did not write, gives the room back, and the next append from the recorded offset gives exact bytes', async () => {
    const data = randomBytes(1024 * 1024);
    const key = store.newKey();
    let state = await store.startResumable(key);
    const recorded: number[] = [];
    const append = (from: number, source: Readable) =>
      store.appendResumable(key, state, source, {
        offset: from,
        durable: 0,
        length: data.length,
        record: async (progress) => {
          recorded.push(progress.offset);
          state = progress.state;
        },
      });
    await append(0, sourceOf(data.subarray(0, 1000)));
    fill(filler);
    await expect(append(1000, sourceOf(data.subarray(1000)))).rejects.toBeInstanceOf(StorageFullError);
    expect(recorded).toEqual([1000]);
    expect(statSync(join(disk, 'blobs', '.uploads', key)).size).toBe(1000);

    rmSync(filler);
    expect(await append(1000, sourceOf(data.subarray(1000)))).toBe(data.length);
    await store.completeResumable(key);
    expect((await readAll(await store.read(key))).equals(data)).toBe(true);
  });
});

describe('writesThroughToSocket', () => {
  it('only trusts unwrapped HTTP responses and sockets to be done with a chunk at its callback', async () => {
    const { server, url } = await serve(async (res) => {
      const plain = writesThroughToSocket(res);
      // What compression-style middleware does: a wrapper that may keep or transform the chunk.
      const original = res.write.bind(res);
      Object.defineProperty(res, 'write', { value: (chunk: Buffer) => original(Buffer.from(chunk)) });
      res.end(JSON.stringify([plain, writesThroughToSocket(res)]));
    });
    try {
      expect(JSON.parse((await fetchBytes(url)).body.toString())).toEqual([true, false]);
      expect(writesThroughToSocket(new PassThrough())).toBe(false);
    } finally {
      stopServer(server);
    }
  });
});
