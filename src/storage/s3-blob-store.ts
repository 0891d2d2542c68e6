import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { DependencyUnavailableError } from '../availability/dependency-errors';
import { AppConfig } from '../config/app-config';
import { BlobNotFoundError, BlobStat, BlobStore, BlobWriteOptions, BlobWriteResult, ByteRange } from './blob-store';
import { assertBlobKey, isBlobKey, newBlobKey } from './blob-key';
import { holdEarlyErrors, meteredCopy } from './metered-copy';

/** Parts are buffered by lib-storage: PART_BYTES x QUEUE_SIZE bounds the memory of one upload. */
const PART_BYTES = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;
const PING_TIMEOUT_MS = 3000;

export type S3Settings = AppConfig['storage']['s3'];

/**
 * The store is down or unreachable: no HTTP answer at all (refused, reset, timed out) or a
 * server-side 5xx. Such failures become DependencyUnavailableError, which the app answers 503.
 */
function unreachable(error: unknown): boolean {
  if (error instanceof S3ServiceException && error.$metadata.httpStatusCode !== undefined) return error.$metadata.httpStatusCode >= 500;
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

function isNotFound(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return error.$metadata.httpStatusCode === 404 || error.name === 'NoSuchKey' || error.name === 'NotFound';
}

export function createS3Client(settings: S3Settings): S3Client {
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
    // A store that is down answers a request 503 in seconds: a short connect timeout. requestTimeout
    // is the socket's idle time, so long transfers that keep moving are not cut.
    requestHandler: { connectionTimeout: 3000, requestTimeout: 60_000 },
  });
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
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
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
    const done = upload.done();
    // A failed upload must stop the copy even while it waits for 'drain' that will never come.
    const failed = done.then(() => undefined);
    failed.catch(() => undefined);
    try {
      const result = await meteredCopy(source, options.maxBytes, async (chunk) => {
        if (!body.write(chunk)) await Promise.race([once(body, 'drain'), failed]);
      });
      body.end();
      await done;
      return result;
    } catch (error) {
      // Nothing has been completed yet: aborting drops the parts; some stores cannot abort,
      // and then the parts stay invisible to keys() and to reads.
      await upload.abort().catch(() => undefined);
      body.destroy();
      await done.catch(() => undefined);
      throw translated(error);
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    assertBlobKey(key);
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      );
      if (!(response.Body instanceof Readable)) throw new Error('S3 GetObject returned no stream');
      return range ? narrowToRange(response.Body, range, response.ContentRange) : response.Body;
    } catch (error) {
      if (isNotFound(error)) throw new BlobNotFoundError(key);
      throw translated(error);
    }
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (!isNotFound(error)) throw translated(error);
    }
  }

  async stat(key: string): Promise<BlobStat | null> {
    assertBlobKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw translated(error);
    }
  }

  async *keys(): AsyncIterable<string> {
    for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket })) {
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined && isBlobKey(object.Key)) yield object.Key;
      }
    }
  }

  async ping(): Promise<void> {
    // The SDK retries with backoff; readiness must answer within the probe's patience.
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS) });
  }

  override close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }
}
