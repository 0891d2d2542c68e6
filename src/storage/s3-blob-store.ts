import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { once } from 'node:events';
import { PassThrough, pipeline, Readable, Transform } from 'node:stream';
import { DependencyUnavailableError } from '../availability/dependency-errors';
import { AppConfig } from '../config/app-config';
import {
  BlobEntry,
  BlobNotFoundError,
  BlobStat,
  BlobStore,
  BlobWriteOptions,
  BlobWriteResult,
  ByteRange,
  ResumableAppend,
  ResumableState,
} from './blob-store';
import { assertBlobKey, isBlobKey, newBlobKey } from './blob-key';
import { countedCopy, holdEarlyErrors, meteredCopy } from './metered-copy';

/** Parts are buffered by lib-storage: PART_BYTES x QUEUE_SIZE bounds the memory of one upload. */
const PART_BYTES = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;
const PING_TIMEOUT_MS = 3000;
/** S3 refuses parts below this size, except the last one. */
const MIN_PART_BYTES = 5 * 1024 * 1024;

/**
 * A resumable blob on S3 (JSON in the caller's database): a multipart upload, its parts so far,
 * and the bytes received after the last part, too few for a part of their own, kept as an object
 * of their own (the tail) until the next append makes them part of one.
 */
interface MultipartState {
  uploadId: string;
  parts: { n: number; etag: string; size: number }[];
  tail: { key: string; size: number } | null;
}

const TAILS_PREFIX = 'uploads/';

/** Objects that are not blobs: list() skips them since they are no blob keys. */
function tailKey(key: string, start: number, end: number): string {
  // Named by the range it holds: a tail written by an append that failed before recording it never overwrites the recorded one.
  return `${TAILS_PREFIX}${key}/tail-${start}-${end}`;
}

/** The blob key a tail object belongs to, or undefined for any other object. */
function keyOfTail(objectKey: string): string | undefined {
  const match = /^uploads\/([^/]+)\/tail-\d+-\d+$/.exec(objectKey);
  return match && isBlobKey(match[1]) ? match[1] : undefined;
}

export type S3Settings = AppConfig['storage']['s3'];

/**
 * The store is down or unreachable: no HTTP answer at all (refused, reset, timed out) or a
 * server-side 5xx other than 501, which says that the store does not do this, not that it is
 * down. Such failures become DependencyUnavailableError, which the app answers 503. Only for
 * errors of S3 client calls (S3BlobStore.s3): a network code on anything else (the client's own
 * request stream, the caller's database) says nothing about the store.
 */
function unreachable(error: unknown): boolean {
  if (error instanceof S3ServiceException && error.$metadata.httpStatusCode !== undefined) {
    const status = error.$metadata.httpStatusCode;
    return status >= 500 && status !== 501;
  }
  // The SDK wraps network errors ("AWS SDK error wrapper for Error: connect ECONNREFUSED …"): look down the causes.
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const { code, name, cause } = current as { code?: unknown; name?: unknown; cause?: unknown };
    if ((typeof code === 'string' && /^E[A-Z]+$/.test(code)) || name === 'TimeoutError') return true;
    current = cause;
  }
  return error instanceof Error && /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|EPIPE|socket hang up)\b/.test(error.message);
}

function translated(error: unknown): unknown {
  return unreachable(error) ? new DependencyUnavailableError('storage', error) : error;
}

/** The store answered that it does not do this at all (s3rver's ListMultipartUploads). */
function isNotImplemented(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === 'NotImplemented' || error.$metadata.httpStatusCode === 501);
}

function isNoSuchUpload(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === 'NoSuchUpload' || error.$metadata.httpStatusCode === 404);
}

function isNotFound(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return error.$metadata.httpStatusCode === 404 || error.name === 'NoSuchKey' || error.name === 'NotFound';
}

/**
 * A store that hangs must answer requests 503 within seconds (README "When things fail"). Calls
 * where the app sends (parts, objects) or waits for a short answer use a client whose socket may
 * idle this long, with one retry: the store has stopped reading or answering.
 */
export const S3_IDLE_MS = 3000;
/**
 * Downloads read through a client of their own whose sockets may idle for long, since a client
 * that reads slowly pauses the stream; they get a deadline for the answer's headers instead, and
 * a watch on the body while it flows (watchWhileFlowing).
 */
export const S3_READ_IDLE_MS = 60_000;
const S3_HEADERS_MS = 5000;
const S3_BODY_IDLE_MS = 5000;

export function createS3Client(settings: S3Settings, idleMs = S3_IDLE_MS): S3Client {
  const { accessKeyId, secretAccessKey } = settings;
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    // Without explicit keys the SDK's default chain applies (environment, instance role).
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    // We hash every byte ourselves; the SDK's default CRC32 trailers cost CPU and are not
    // understood by every S3-compatible store.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A store that is down answers a request 503 in seconds: a short connect timeout. socketTimeout
    // is the socket's idle time, so long transfers that keep moving are not cut (this SDK's
    // requestTimeout would only warn). One retry at most: two attempts stay within the 10 s a
    // request may wait on a store that hangs.
    requestHandler: { connectionTimeout: 3000, socketTimeout: idleMs },
    maxAttempts: 2,
  });
}

/**
 * The body of a download, failing when the store sends nothing for `ms` while the reader is
 * waiting for it. While the reader holds back (backpressure from a slow client pauses the
 * store's stream) nothing is watched: only a store that stopped sending is.
 */
function watchWhileFlowing(body: Readable, ms: number): Readable {
  let timer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    clearTimeout(timer);
    timer = undefined;
  };
  const watch = (): void => {
    stop();
    timer = setTimeout(() => body.destroy(new DependencyUnavailableError('storage', new Error(`no byte from the store for ${ms} ms`))), ms);
  };
  const watched = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (!body.isPaused()) watch();
      done(null, chunk);
    },
  });
  body.on('pause', stop);
  body.on('resume', watch);
  pipeline(body, watched, stop);
  watch();
  return watched;
}

/**
 * Some S3-compatible stores answer a range with more than was asked (s3rver serves all of
 * `bytes=0-0`); cut the surplus here so that callers get exactly the inclusive range.
 */
function narrowToRange(body: Readable, range: ByteRange, contentRange: string | undefined): Readable {
  const served = /^bytes (\d+)-(\d+)\//.exec(contentRange ?? '');
  const servedStart = served ? Number(served[1]) : 0;
  const servedEnd = served ? Number(served[2]) : Number.MAX_SAFE_INTEGER;
  if (servedStart === range.start && servedEnd === range.end) return body;
  if (servedStart > range.start || servedEnd < range.end) {
    body.destroy();
    throw new Error(`S3 served ${contentRange ?? 'the whole object'} for bytes=${range.start}-${range.end}`);
  }
  let skip = range.start - servedStart;
  let left = range.end - range.start + 1;
  const narrowed = new PassThrough();
  body.on('data', (chunk: Buffer) => {
    const from = Math.min(skip, chunk.length);
    skip -= from;
    const piece = chunk.subarray(from, from + left);
    left -= piece.length;
    if (piece.length > 0 && !narrowed.write(piece)) body.pause();
    if (left === 0) {
      body.destroy();
      narrowed.end();
    }
  });
  narrowed.on('drain', () => body.resume());
  body.on('end', () => narrowed.end());
  body.on('error', (error) => narrowed.destroy(error));
  narrowed.on('close', () => body.destroy());
  return narrowed;
}

/**
 * Blobs as objects in one bucket, keyed by the blob key. A write is a streamed multipart upload
 * that is completed only after the last byte passed the size limit, so a failed or oversized
 * write never becomes a visible object.
 */
export class S3BlobStore extends BlobStore {
  /** `readClient` serves downloads (createS3Client with S3_READ_IDLE_MS); everything else goes through `client`. */
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly readClient: S3Client = client,
  ) {
    super();
  }

  newKey(): string {
    return newBlobKey();
  }

  async write(key: string, source: Readable, options: BlobWriteOptions = {}): Promise<BlobWriteResult> {
    assertBlobKey(key);
    const release = holdEarlyErrors(source);
    try {
      return await this.upload(key, source, options);
    } finally {
      release();
    }
  }

  private async upload(key: string, source: Readable, options: BlobWriteOptions): Promise<BlobWriteResult> {
    const body = new PassThrough({ highWaterMark: PART_BYTES });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: options.contentType ?? 'application/octet-stream' },
      partSize: PART_BYTES,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    // The upload reads `body` only, never the source: a failure of `done` is the store's.
    const done = this.s3(() => upload.done());
    // A failed upload must stop the copy even while it waits for 'drain' that will never come.
    const failed = done.then(() => undefined);
    failed.catch(() => undefined);
    try {
      // Fails with the source's own error (a client that went away), or with the upload's, translated.
      const result = await meteredCopy(source, options.maxBytes, async (chunk) => {
        if (!body.write(chunk)) await Promise.race([once(body, 'drain'), failed]);
      });
      body.end();
      await done;
      return result;
    } catch (error) {
      // Nothing has been completed yet: aborting drops the parts; some stores cannot abort,
      // and then the parts stay invisible to list() and to reads until sweepResumables().
      const cleanup = (async () => {
        await upload.abort().catch(() => undefined);
        body.destroy();
        await done.catch(() => undefined);
      })();
      // A store that is down or hangs would hold the answer for as long: its parts are the sweep's.
      if (!(error instanceof DependencyUnavailableError)) await cleanup;
      throw error;
    }
  }

  /**
   * Runs one call of the S3 client (or lib-storage's Upload): its failures that say the store is
   * down become DependencyUnavailableError. Only S3's calls go through here, so that an error of
   * the source stream or of the caller's `record` reaches the caller as it was.
   */
  private async s3<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw translated(error);
    }
  }

  async startResumable(key: string, contentType: string): Promise<ResumableState> {
    assertBlobKey(key);
    const created = await this.s3(() => this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType })));
    if (!created.UploadId) throw new Error('S3 CreateMultipartUpload returned no UploadId');
    const state: MultipartState = { uploadId: created.UploadId, parts: [], tail: null };
    return JSON.stringify(state);
  }

  /**
   * Cuts the bytes (the recorded tail first) into parts of PART_BYTES, each uploaded and recorded
   * as it completes. What is left at the end becomes the last part when it ends the blob or is
   * big enough, and the new tail otherwise; the old tail object goes once the new state is recorded.
   * S3 has an object or a part durable once it answered: the offset recorded is always durable.
   * Only S3's failures are translated: those of the source and of `record` reach the caller as they were.
   */
  async appendResumable(key: string, recorded: ResumableState, source: Readable, append: ResumableAppend): Promise<number> {
    assertBlobKey(key);
    const release = holdEarlyErrors(source);
    const state = JSON.parse(recorded) as MultipartState;
    const oldTail = state.tail;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let offset = append.offset;
    const pendingStart = (): number => offset - pendingBytes;
    const uploadPart = async (): Promise<void> => {
      const body = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      const n = state.parts.length + 1;
      const part = await this.s3(() =>
        this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: state.uploadId, PartNumber: n, Body: body })),
      );
      if (!part.ETag) throw new Error('S3 UploadPart returned no ETag');
      state.parts.push({ n, etag: part.ETag, size: body.length });
      state.tail = null;
      await append.record({ offset, durable: offset, state: JSON.stringify(state) });
    };
    try {
      if (oldTail) {
        pending.push(await this.readAll(oldTail.key));
        pendingBytes = oldTail.size;
      }
      await countedCopy(
        source,
        append.length - append.offset,
        async (chunk) => {
          pending.push(chunk);
          pendingBytes += chunk.length;
          offset += chunk.length;
          if (pendingBytes >= PART_BYTES) await uploadPart();
        },
        append.hash,
      );
      if (pendingBytes > 0 && (offset === append.length || pendingBytes >= MIN_PART_BYTES)) {
        await uploadPart();
      } else if (pendingBytes > 0 && offset > append.offset) {
        const body = Buffer.concat(pending, pendingBytes);
        const tail = { key: tailKey(key, pendingStart(), offset), size: body.length };
        await this.s3(() => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: tail.key, Body: body })));
        state.tail = tail;
        await append.record({ offset, durable: offset, state: JSON.stringify(state) });
      }
      // Nothing new arrived: the old tail is still the recorded one.
      if (oldTail && offset > append.offset) await this.deleteQuietly(oldTail.key);
      return offset;
    } finally {
      release();
    }
  }

  async completeResumable(key: string, recorded: ResumableState): Promise<void> {
    assertBlobKey(key);
    const state = JSON.parse(recorded) as MultipartState;
    try {
      if (state.parts.length === 0) {
        // An empty blob: S3 completes no multipart upload without a part.
        await this.abortMultipart(key, state);
        await this.s3(() => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: Buffer.alloc(0) })));
        return;
      }
      await this.s3(() => this.completeMultipart(key, state));
    } catch (error) {
      // A store that did not answer at all will not answer a stat either: no second wait.
      if (error instanceof DependencyUnavailableError && !(error.cause instanceof S3ServiceException)) throw error;
      // Completed before by an attempt whose answer was lost (S3 then says NoSuchUpload, s3rver
      // fails): done, if the whole object is there.
      const size = state.parts.reduce((sum, part) => sum + part.size, 0);
      const stat = await this.stat(key).catch(() => undefined);
      if (stat?.size === size) return;
      // Neither the upload nor the object: the bytes are gone (the upload then ends, never stuck).
      if (stat === null && isNoSuchUpload(error)) throw new BlobNotFoundError(key);
      throw error;
    }
  }

  private async completeMultipart(key: string, state: MultipartState): Promise<void> {
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: state.uploadId,
        MultipartUpload: { Parts: state.parts.map((part) => ({ PartNumber: part.n, ETag: part.etag })) },
      }),
    );
  }

  async abortResumable(key: string, recorded: ResumableState): Promise<void> {
    assertBlobKey(key);
    await this.abortMultipart(key, JSON.parse(recorded) as MultipartState);
  }

  /** Some S3-compatible stores cannot abort (s3rver): their parts stay invisible to reads and list(). */
  private async abortMultipart(key: string, state: MultipartState): Promise<void> {
    await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: state.uploadId })).catch(() => undefined);
    if (state.tail) await this.deleteQuietly(state.tail.key);
  }

  private async deleteQuietly(objectKey: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey })).catch(() => undefined);
  }

  /** An object whole, its body's stream included: every failure here is the store's. */
  private readAll(objectKey: string): Promise<Buffer> {
    return this.s3(async () => {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      if (!response.Body) throw new Error('S3 GetObject returned no body');
      return Buffer.from(await response.Body.transformToByteArray());
    });
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    assertBlobKey(key);
    // The headers must come within S3_HEADERS_MS; the body is then watched while it flows.
    const headers = new AbortController();
    const deadline = setTimeout(() => headers.abort(new Error(`no answer from the store within ${S3_HEADERS_MS} ms`)), S3_HEADERS_MS);
    const response = await this.s3(() =>
      this.readClient.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }), {
        abortSignal: headers.signal,
      }),
    )
      .catch((error: unknown) => {
        throw isNotFound(error) ? new BlobNotFoundError(key) : headers.signal.aborted ? new DependencyUnavailableError('storage', error) : error;
      })
      .finally(() => clearTimeout(deadline));
    if (!(response.Body instanceof Readable)) throw new Error('S3 GetObject returned no stream');
    const body = watchWhileFlowing(response.Body, S3_BODY_IDLE_MS);
    return range ? narrowToRange(body, range, response.ContentRange) : body;
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    try {
      await this.s3(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async stat(key: string): Promise<BlobStat | null> {
    assertBlobKey(key);
    try {
      const head = await this.s3(() => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
      return { size: head.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /**
   * Blob keys are hex: listing under each hex digit reads them alone, never the uploads' tails
   * (`uploads/…`), which come and go while an upload runs (and which s3rver's listing trips over
   * when one is deleted under it).
   */
  async *list(): AsyncIterable<BlobEntry> {
    for (const digit of '0123456789abcdef') {
      for await (const object of this.objects(digit)) {
        if (isBlobKey(object.key)) yield object;
      }
    }
  }

  /**
   * Every object in the bucket, or under `prefix`, page by page. An object the store gives no
   * date counts as written now: an orphan sweep then waits instead of taking a blob in flight.
   */
  private async *objects(prefix?: string): AsyncIterable<BlobEntry> {
    let token: string | undefined;
    do {
      const page = await this.s3(() => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token })));
      for (const { Key: key, Size: size, LastModified: modifiedAt } of page.Contents ?? []) {
        if (key !== undefined) yield { key, size: size ?? 0, modifiedAt: modifiedAt ?? new Date() };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /**
   * Aborts the multipart uploads and deletes the tail objects of uploads that were cut or given
   * up. The multipart uploads include those lib-storage started for a write() that a crash cut:
   * invisible, but billed. A store that lists no multipart uploads (s3rver) keeps those, which
   * sweepSkipped then says; the tails are swept all the same.
   */
  async sweepResumables(startedBefore: Date, inUse: (key: string) => Promise<boolean>): Promise<number> {
    this.skippedBySweep = undefined;
    // A key with several leftovers (a multipart upload and its tails) is asked about once.
    const answers = new Map<string, Promise<boolean>>();
    const unused = async (key: string): Promise<boolean> => {
      let answer = answers.get(key);
      if (!answer) answers.set(key, (answer = inUse(key)));
      return !(await answer);
    };
    let removed = 0;
    try {
      removed += await this.abortStaleMultiparts(startedBefore, unused);
    } catch (error) {
      if (!isNotImplemented(error)) throw error;
      this.skippedBySweep = 'the store lists no multipart uploads: parts of cut uploads stay until it removes them';
    }
    return removed + (await this.deleteStaleTails(startedBefore, unused));
  }

  private async abortStaleMultiparts(startedBefore: Date, unused: (key: string) => Promise<boolean>): Promise<number> {
    let aborted = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await this.s3(() =>
        this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker })),
      );
      for (const upload of page.Uploads ?? []) {
        const { Key: key, UploadId: uploadId, Initiated: initiated } = upload;
        if (key === undefined || uploadId === undefined || !isBlobKey(key) || !initiated || initiated >= startedBefore) continue;
        if ((await unused(key)) && (await this.abortUpload(key, uploadId))) aborted++;
      }
      [keyMarker, uploadIdMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextUploadIdMarker] : [undefined, undefined];
    } while (keyMarker !== undefined);
    return aborted;
  }

  /** False when the upload was gone already (completed or aborted meanwhile). */
  private async abortUpload(key: string, uploadId: string): Promise<boolean> {
    try {
      await this.s3(() => this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })));
      return true;
    } catch (error) {
      if (isNotFound(error) || (error instanceof S3ServiceException && error.name === 'NoSuchUpload')) return false;
      throw error;
    }
  }

  /** Tails are named after their blob key; LastModified is when the append that wrote one ended. */
  private async deleteStaleTails(startedBefore: Date, unused: (key: string) => Promise<boolean>): Promise<number> {
    // Collected first: deleting while the listing pages on would be safe on S3, but not on every store.
    const stale: string[] = [];
    for await (const { key: objectKey, modifiedAt } of this.objects(TAILS_PREFIX)) {
      const key = keyOfTail(objectKey);
      if (key !== undefined && modifiedAt < startedBefore && (await unused(key))) stale.push(objectKey);
    }
    for (const objectKey of stale) await this.s3(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey })));
    return stale.length;
  }

  async ping(): Promise<void> {
    // The SDK retries with backoff; readiness must answer within the probe's patience.
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS) });
  }

  override close(): Promise<void> {
    this.client.destroy();
    if (this.readClient !== this.client) this.readClient.destroy();
    return Promise.resolve();
  }
}
