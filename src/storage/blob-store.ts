import { Hash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface BlobWriteResult {
  size: number;
  /** Hex sha256 of the bytes, computed while they streamed. */
  sha256: string;
}

export interface BlobStat {
  size: number;
}

/** One finished blob, as list() finds it. */
export interface BlobEntry {
  key: string;
  size: number;
  /** When the blob was written: an orphan sweep spares blobs younger than the rows that would claim them. */
  modifiedAt: Date;
}

/** Inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobWriteOptions {
  /** The write fails with BlobTooLargeError as soon as more bytes than this arrive. */
  maxBytes?: number;
  contentType?: string;
}

/**
 * A driver's record of a blob written over several requests (tus), between appends: JSON that
 * the caller keeps in its database, so that any instance can continue the blob.
 */
export type ResumableState = string;

export interface ResumableProgress {
  /** Bytes in the blob, readable by every instance and after a restart of this process. */
  offset: number;
  /** Of those, the bytes that also survive an operating system crash (synced to the disk). */
  durable: number;
  state: ResumableState;
}

export interface ResumableAppend {
  /** Bytes already in the blob, as last recorded: this append starts there. */
  offset: number;
  /** Of those, the bytes last recorded durable. */
  durable: number;
  /** The blob's final size: the append fails with BlobTooLargeError past it. */
  length: number;
  /** Every byte appended also goes into this hash. */
  hash?: Hash;
  /**
   * Records the progress (in the caller's database). The driver calls it whenever bytes were
   * stored, at least once at the end, and before it drops what an older state needed. The last
   * byte of the blob is always durable when recorded.
   */
  record(progress: ResumableProgress): Promise<void>;
}

/** The source stream carried more bytes than allowed; nothing was kept. */
export class BlobTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`blob exceeds ${limit} bytes`);
  }
}

/**
 * The disk under the store is full (ENOSPC) or the quota is used up (EDQUOT): nothing of the
 * write was kept. Not an outage that passes by itself: space must be freed.
 */
export class StorageFullError extends Error {
  constructor(cause?: unknown) {
    super('no space left to store blobs', { cause });
  }
}

/** read() of a key that holds no blob. */
export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no blob under key ${key}`);
  }
}

/**
 * Where file bytes live: the local disk or any S3-compatible store. The only code that knows
 * disks or S3. Keys are generated (`newKey`), never built from user input. A write is all or
 * nothing: when it fails (source error, too large, crash) no blob is left under the key.
 */
export abstract class BlobStore {
  abstract newKey(): string;
  /**
   * Streams `source` into a new blob under `key`. On BlobTooLargeError the source is left
   * paused, unread and not destroyed (the caller decides: answer 413, drain or destroy it);
   * on any other failure the source may have been destroyed.
   */
  abstract write(key: string, source: Readable, options?: BlobWriteOptions): Promise<BlobWriteResult>;
  /** The whole blob, or the inclusive range, as a stream. Rejects with BlobNotFoundError when absent. */
  abstract read(key: string, range?: ByteRange): Promise<Readable>;
  /**
   * Writes the blob, or the inclusive range, into `destination` (an HTTP response), ends it and
   * resolves once it finished. Rejects with BlobNotFoundError before writing anything when the
   * blob is absent; on a later failure `destination` is destroyed, as with pipeline(). Prefer
   * this over piping read() to a response: a driver may send faster (the local one reuses its
   * buffers, which it can do only when it sees each write complete). `onSent` hears of each
   * chunk before it is written, so that a count it keeps is complete by the time the client
   * has the last byte.
   */
  async sendTo(key: string, destination: Writable, range?: ByteRange, onSent?: (bytes: number) => void): Promise<void> {
    const source = await this.read(key, range);
    if (onSent) source.on('data', (chunk: Buffer) => onSent(chunk.length));
    await pipeline(source, destination);
  }
  /** Removes the blob; no error when it is already gone. */
  abstract delete(key: string): Promise<void>;
  abstract stat(key: string): Promise<BlobStat | null>;
  /** Every finished blob in the store (for sweeping orphans); unfinished uploads are not blobs. */
  abstract list(): AsyncIterable<BlobEntry>;
  /** Begins a blob that will be written by appendResumable, possibly over many requests and instances. */
  abstract startResumable(key: string, contentType: string): Promise<ResumableState>;
  /**
   * Appends the source at `offset` and resolves to the new offset. A source that ends early
   * (a cut connection) is not a failure: what arrived is kept and recorded.
   */
  abstract appendResumable(key: string, state: ResumableState, source: Readable, append: ResumableAppend): Promise<number>;
  /** Makes the whole blob readable under `key`, like a finished write(); completing it again is no error. */
  abstract completeResumable(key: string, state: ResumableState): Promise<void>;
  /** Drops a resumable blob and everything it holds; no error when it is already gone. */
  abstract abortResumable(key: string, state: ResumableState): Promise<void>;
  /**
   * Removes what unfinished uploads left in the store (a process that died mid-upload, a tus
   * upload given up): what was started, or last touched, before `startedBefore` and whose blob
   * key `inUse` says no live upload uses, a resumable one or a streaming write(). Resolves to the
   * number of leftovers removed. Leftovers the store cannot find are skipped, not an error: see
   * sweepSkipped.
   */
  abstract sweepResumables(startedBefore: Date, inUse: (key: string) => Promise<boolean>): Promise<number>;
  protected skippedBySweep: string | undefined;
  /**
   * Set by sweepResumables() when a kind of leftover could not be looked for (an S3-compatible
   * store that lists no multipart uploads): what stays behind, for the caller to log.
   */
  get sweepSkipped(): string | undefined {
    return this.skippedBySweep;
  }
  /** Throws when the store cannot be reached (readiness), or (StorageFullError) has no room left. */
  abstract ping(): Promise<void>;
  /** Releases connections; called once at shutdown. */
  async close(): Promise<void> {}
}
