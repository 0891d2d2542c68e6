import { createHash, Hash, randomBytes } from 'node:crypto';
import { constants, Dirent, Stats } from 'node:fs';
import { access, FileHandle, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { assertRoomIn } from './disk-space';
import { dirname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import {
  BlobEntry,
  BlobNotFoundError,
  BlobStat,
  BlobStore,
  BlobWriteOptions,
  BlobWriteResult,
  ByteRange,
  ResumableAppend,
  ResumableProgress,
  ResumableState,
  StorageFullError,
} from './blob-store';
import { assertBlobKey, isBlobKey, newBlobKey } from './blob-key';
import { countedCopy, holdEarlyErrors } from './metered-copy';
import { sendFileRange, writesThroughToSocket } from './socket-sender';

/** Blobs are readable by the server's own user only (CONTRACT §11); files are created 0600. */
const PRIVATE_DIR = 0o700;

/**
 * Big reads: each chunk costs a thread-pool round trip, a fresh buffer and a socket write.
 * Measured on loopback (bench/), 4 MiB serves a download ~1.4x faster than 1 MiB and ~3x faster
 * than the 64 KiB default; with backpressure a download holds at most about two chunks.
 */
const READ_CHUNK_BYTES = 4 * 1024 * 1024;
const WRITE_BATCH_BYTES = 1024 * 1024;
/** A temp file nobody has written to for this long belongs to a process that died mid-upload. */
export const STALE_TEMP_MS = 60 * 60 * 1000;
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;
const TEMP_DIR = '.tmp';
/** Resumable uploads' files: apart from `.tmp`, whose sweep would take an upload paused for an hour. */
const RESUMABLE_DIR = '.uploads';
const RESUMABLE_STATE = 'file';
/** A resumable file is synced once this many bytes arrived since the last sync (and at its end). */
const SYNC_EVERY_BYTES = 64 * 1024 * 1024;

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The disk is full, or the quota of the server's user is used up. */
function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** A full disk becomes StorageFullError, whichever step met it (a write, fsync, close, mkdir or rename). */
function fullDiskAsStorageFull(error: unknown): unknown {
  return isDiskFull(error) ? new StorageFullError(error) : error;
}

/** Writes every buffer at `position`, also when the kernel takes only part of a writev. */
async function writeAll(file: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let rest = buffers;
  let at = position;
  while (rest.length > 0) {
    const { bytesWritten } = await file.writev(rest, at);
    at += bytesWritten;
    let skip = bytesWritten;
    const next: Buffer[] = [];
    for (const buffer of rest) {
      if (skip >= buffer.length) skip -= buffer.length;
      else {
        next.push(skip > 0 ? buffer.subarray(skip) : buffer);
        skip = 0;
      }
    }
    rest = next;
  }
}

/**
 * Copies the source into the file from `position`, counting (and hashing) on the way: one batch
 * is written while the next is read, so disk and network overlap. Resolves to the byte count
 * once everything is written (not yet synced).
 */
async function copyIntoFile(file: FileHandle, source: Readable, maxBytes: number | undefined, position: number, hash: Hash): Promise<number> {
  let batch: Buffer[] = [];
  let batchBytes = 0;
  let at = position;
  let writing: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    await writing;
    writing = writeAll(file, batch, at);
    // Handled when awaited next; this only keeps a failure from being reported as unhandled.
    writing.catch(() => undefined);
    at += batchBytes;
    batch = [];
    batchBytes = 0;
  };
  try {
    const size = await countedCopy(source, maxBytes, (chunk) => {
      batch.push(chunk);
      batchBytes += chunk.length;
      return batchBytes >= WRITE_BATCH_BYTES ? flush() : undefined;
    }, hash);
    await flush();
    await writing;
    return size;
  } catch (error) {
    // No write may still run once the caller closes or removes the file.
    await writing.catch(() => undefined);
    throw error;
  }
}

async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * Blobs as files under `<DATA_DIR>/blobs/ab/cd/<key>`. A write streams into `.tmp/`, is fsynced
 * and then renamed into place, so a blob is either whole or absent, even after a crash.
 */
export class LocalBlobStore extends BlobStore {
  private readonly tempDir: string;
  private readonly resumableDir: string;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly root: string) {
    super();
    this.tempDir = join(root, TEMP_DIR);
    this.resumableDir = join(root, RESUMABLE_DIR);
  }

  /**
   * Creates the directories and removes temp files left by a process that died mid-write, at
   * start and then every SWEEP_INTERVAL_MS, so that a crash is cleaned up without a restart.
   */
  async init(): Promise<void> {
    await mkdir(this.tempDir, { recursive: true, mode: PRIVATE_DIR });
    await mkdir(this.resumableDir, { recursive: true, mode: PRIVATE_DIR });
    await this.sweepStaleTemp();
    this.sweeper ??= setInterval(() => void this.sweepStaleTemp().catch(() => undefined), SWEEP_INTERVAL_MS).unref();
  }

  /** Only files idle for long are abandoned: another instance may share this directory. */
  async sweepStaleTemp(now = Date.now()): Promise<void> {
    for (const name of await readdir(this.tempDir)) {
      const path = join(this.tempDir, name);
      try {
        if (now - (await stat(path)).mtimeMs >= STALE_TEMP_MS) await rm(path, { force: true });
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
  }

  override close(): Promise<void> {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    return Promise.resolve();
  }

  newKey(): string {
    return newBlobKey();
  }

  async write(key: string, source: Readable, options: BlobWriteOptions = {}): Promise<BlobWriteResult> {
    const release = holdEarlyErrors(source);
    try {
      return await this.writeFile(key, source, options);
    } catch (error) {
      throw fullDiskAsStorageFull(error);
    } finally {
      release();
    }
  }

  private async writeFile(key: string, source: Readable, options: BlobWriteOptions): Promise<BlobWriteResult> {
    const target = this.pathOf(key);
    // Named after the key, so that delete(key) finds it.
    const temp = join(this.tempDir, `${key}.${randomBytes(4).toString('hex')}`);
    const file = await open(temp, 'wx', 0o600);
    let fileOpen = true;
    let renamed = false;
    try {
      const hash = createHash('sha256');
      const size = await copyIntoFile(file, source, options.maxBytes, 0, hash);
      const result = { size, sha256: hash.digest('hex') };
      await file.sync();
      fileOpen = false;
      // Some filesystems (NFS) report a full disk as late as the close.
      await file.close();
      await mkdir(dirname(target), { recursive: true, mode: PRIVATE_DIR });
      await rename(temp, target);
      renamed = true;
      await syncDirectory(dirname(target));
      return result;
    } catch (error) {
      if (fileOpen) await file.close().catch(() => undefined);
      // A blob whose rename is not durable is not written: none may be left under the key.
      await rm(renamed ? target : temp, { force: true });
      throw error;
    }
  }

  /** A resumable blob is a file in `.uploads/`, renamed into place when complete. */
  async startResumable(key: string): Promise<ResumableState> {
    try {
      const file = await open(this.resumablePathOf(key), 'wx', 0o600);
      await file.close();
    } catch (error) {
      throw fullDiskAsStorageFull(error);
    }
    return RESUMABLE_STATE;
  }

  /**
   * Records only once the bytes are in the file and it closed without error, so that a full disk
   * (StorageFullError) never leaves an offset recorded past what was written. Errors of `record`
   * reach the caller as they were.
   */
  async appendResumable(key: string, _state: ResumableState, source: Readable, append: ResumableAppend): Promise<number> {
    const release = holdEarlyErrors(source);
    let progress: ResumableProgress;
    try {
      progress = await this.appendToFile(key, source, append);
    } catch (error) {
      throw fullDiskAsStorageFull(error);
    } finally {
      release();
    }
    await append.record(progress);
    return progress.offset;
  }

  /** Writes the source into the upload's file at the recorded offset and closes it; resolves to what to record. */
  private async appendToFile(key: string, source: Readable, append: ResumableAppend): Promise<ResumableProgress> {
    let file: FileHandle;
    try {
      file = await open(this.resumablePathOf(key), 'r+');
    } catch (error) {
      if (isMissing(error)) throw new BlobNotFoundError(key);
      throw error;
    }
    let fileOpen = true;
    try {
      // Bytes past the recorded offset were written by an append that failed before it recorded them.
      await file.truncate(append.offset);
      const size = await copyIntoFile(file, source, append.length - append.offset, append.offset, append.hash ?? createHash('sha256'));
      const offset = append.offset + size;
      // A sync per append would cost a tus client one disk flush per chunk (README "Resumable
      // uploads"): the bytes are synced every SYNC_EVERY_BYTES and at the end, and an instance that
      // restarts goes back to the last synced offset, since it cannot tell whether the machine crashed.
      let durable = append.durable;
      if (offset === append.length || offset - durable >= SYNC_EVERY_BYTES) {
        await file.datasync();
        durable = offset;
      }
      fileOpen = false;
      await file.close();
      return { offset, durable, state: RESUMABLE_STATE };
    } catch (error) {
      if (fileOpen) {
        // What fit before the disk filled is recorded nowhere: dropping it gives the room back now, not at the next append.
        if (isDiskFull(error)) await file.truncate(append.offset).catch(() => undefined);
        await file.close().catch(() => undefined);
      }
      throw error;
    }
  }

  async completeResumable(key: string): Promise<void> {
    try {
      await this.moveIntoPlace(key);
    } catch (error) {
      throw fullDiskAsStorageFull(error);
    }
  }

  private async moveIntoPlace(key: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true, mode: PRIVATE_DIR });
    try {
      await rename(this.resumablePathOf(key), target);
    } catch (error) {
      if (!isMissing(error)) throw error;
      // Completed before, by an attempt that failed after the rename: done, once it is durable.
      if ((await this.stat(key)) === null) throw new BlobNotFoundError(key);
    }
    await syncDirectory(dirname(target));
    await syncDirectory(this.resumableDir);
  }

  async abortResumable(key: string): Promise<void> {
    await rm(this.resumablePathOf(key), { force: true });
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const file = await this.openBlob(key);
    return file.createReadStream({ start: range?.start, end: range?.end, highWaterMark: READ_CHUNK_BYTES });
  }

  override async sendTo(key: string, destination: Writable, range?: ByteRange, onSent?: (bytes: number) => void): Promise<void> {
    if (!writesThroughToSocket(destination)) return super.sendTo(key, destination, range, onSent);
    const file = await this.openBlob(key);
    try {
      const start = range?.start ?? 0;
      const length = range ? range.end - range.start + 1 : (await file.stat()).size;
      await sendFileRange(file, start, length, destination, READ_CHUNK_BYTES, onSent);
    } finally {
      await file.close().catch(() => undefined);
    }
  }

  /**
   * Also removes the key's temp files (`.tmp/<key>.<random>`): a process killed mid-write leaves
   * one, and the upload sweeper deletes the key of such an upload long before the temp sweep would.
   */
  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
    for (const name of await this.entries(this.tempDir)) {
      if (name.isFile() && name.name.startsWith(`${key}.`)) await rm(join(this.tempDir, name.name), { force: true });
    }
  }

  async stat(key: string): Promise<BlobStat | null> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { size: info.size } : null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async *list(): AsyncIterable<BlobEntry> {
    for (const first of await this.subdirectories(this.root)) {
      for (const second of await this.subdirectories(join(this.root, first))) {
        for (const entry of await this.entries(join(this.root, first, second))) {
          if (!entry.isFile() || !isBlobKey(entry.name) || !entry.name.startsWith(first + second)) continue;
          // Deleted since the directory was read: no longer a blob.
          const info = await this.statIfPresent(join(this.root, first, second, entry.name));
          if (info) yield { key: entry.name, size: info.size, modifiedAt: info.mtime };
        }
      }
    }
  }

  /**
   * Removes files in `.uploads/` that nobody wrote to since `startedBefore` (every append writes
   * to its file, so the mtime is the upload's last activity) and whose key is not in use.
   */
  async sweepResumables(startedBefore: Date, inUse: (key: string) => Promise<boolean>): Promise<number> {
    let removed = 0;
    for (const entry of await this.entries(this.resumableDir)) {
      if (!entry.isFile() || !isBlobKey(entry.name)) continue;
      const path = join(this.resumableDir, entry.name);
      const info = await this.statIfPresent(path);
      if (!info || info.mtime >= startedBefore || (await inUse(entry.name))) continue;
      await rm(path, { force: true });
      removed++;
    }
    return removed;
  }

  /**
   * Also fails (StorageFullError) when the disk has almost no room left: every upload would fail
   * halfway, and readiness is how the operator and the load balancer hear of it.
   */
  async ping(): Promise<void> {
    await access(this.tempDir, constants.R_OK | constants.W_OK);
    await assertRoomIn(this.root);
  }

  private async statIfPresent(path: string): Promise<Stats | null> {
    try {
      return await stat(path);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  private async openBlob(key: string): Promise<FileHandle> {
    try {
      return await open(this.pathOf(key), 'r');
    } catch (error) {
      if (isMissing(error)) throw new BlobNotFoundError(key);
      throw error;
    }
  }

  private resumablePathOf(key: string): string {
    assertBlobKey(key);
    return join(this.resumableDir, key);
  }

  private pathOf(key: string): string {
    assertBlobKey(key);
    return join(this.root, key.slice(0, 2), key.slice(2, 4), key);
  }

  private async entries(path: string): Promise<Dirent[]> {
    try {
      return await readdir(path, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  /** Shard directories only (two hex digits), which also skips `.tmp`. */
  private async subdirectories(path: string): Promise<string[]> {
    return (await this.entries(path)).filter((entry) => entry.isDirectory() && /^[0-9a-f]{2}$/.test(entry.name)).map((entry) => entry.name);
  }
}
