import { BadRequestException, HttpException, HttpStatus, Inject, Injectable, Logger, NotFoundException, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { createHash, Hash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { SharedLocks } from '../common/locks/shared-locks';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { StoredFileVersionDto } from '../files/dto/file.dto';
import { storedContentType } from '../files/content-type';
import { FileUploadService } from '../files/file-upload.service';
import { BlobHolders } from '../files/blob-holders';
import { FilesService } from '../files/files.service';
import { formatTreePath, parseTreePath } from '../files/folders/tree-path';
import { BlobNotFoundError, BlobStore } from '../storage/blob-store';
import { unavailableDependency } from '../availability/dependency-errors';
import { SessionUser } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { ResumableUpload } from './entities/resumable-upload.entity';
import { ResumableUploadsRepository } from './resumable-uploads.repository';
import { EXPIRY_SWEEP_INTERVAL_MS, UPLOADS_KEPT, LOCK_TTL_MS, UNFINISHED_UPLOADS_PER_USER, UPLOAD_MESSAGES } from './uploads.constants';
import { setBounded } from '../common/bounded-map';

const SWEEP_BATCH = 100;
/** A resumable upload's reservation outlives its expiry by this much (see extendReservation). */
const RESERVATION_SLACK_MS = 60 * 60_000;

export interface NewUpload {
  id: string;
  length: number;
  /** tus Upload-Metadata: `filename` (a path, required) and `filetype`. */
  metadata: Record<string, string | null>;
}

/** Per-upload memory of this instance, bounded: uploads another instance finished or swept drop out. */
function remember<T>(map: Map<string, T>, id: string, value: T): void {
  setBounded(map, id, value, UPLOADS_KEPT);
}

/** A running sha256 of an upload's bytes, valid while no other instance appended to it. */
interface RunningHash {
  offset: number;
  hash: Hash;
}

/**
 * Resumable uploads (CONTRACT §7), whatever the protocol adapter (tus): the rules of creating,
 * appending, finishing and abandoning one. Quota and limits come from the one upload pipeline,
 * the finished bytes become a version through FilesService as a PUT's do.
 */
@Injectable()
export class UploadsService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UploadsService.name);
  private readonly hashes = new Map<string, RunningHash>();
  /** Owners of uploads seen by this instance (they never change). */
  private readonly owners = new Map<string, number>();
  /** The row read under an upload's lock, for the append that follows under the same lock. */
  private readonly lockedRows = new Map<string, ResumableUpload>();
  /** How long this instance last extended an upload's reservation for (ms since the epoch). */
  private readonly reservedUntil = new Map<string, number>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uploads: ResumableUploadsRepository,
    private readonly pipeline: FileUploadService,
    private readonly files: FilesService,
    private readonly blobs: BlobStore,
    private readonly locks: SharedLocks,
    private readonly users: UsersService,
    private readonly holders: BlobHolders,
  ) {}

  onModuleInit(): void {
    this.users.onDeletion((user) => this.deleteAllOf(user.id));
    // An upload's blob is its own until it becomes a version; its quota is in its reservation.
    this.holders.register({ bytesByOwner: () => Promise.resolve(new Map()), blobKeysIn: (keys) => this.uploads.blobKeysIn(keys) });
  }

  /**
   * Bytes a previous run of any instance stored but did not sync may be gone if the machine
   * crashed: uploads go back to their durable offset (clients resend the rest), before this
   * instance takes a PATCH.
   */
  async onApplicationBootstrap(): Promise<void> {
    const rewound = await this.uploads.rewindToDurable();
    if (rewound > 0) this.logger.log(`${rewound} unfinished upload(s) continue from their last synced byte`);
    this.sweeper = setInterval(() => {
      this.finishReceived()
        .then(() => this.sweepExpired())
        .catch((error: unknown) => this.logger.warn(`upload sweep failed: ${String(error)}`));
    }, EXPIRY_SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  newId(): string {
    return randomBytes(16).toString('hex');
  }

  get expiryMs(): number {
    return this.config.uploadExpiryMs;
  }

  /** Checks the path, the limit (413) and the quota (507), reserves the length and begins the blob. */
  async create(owner: SessionUser, upload: NewUpload): Promise<ResumableUpload> {
    const filename = upload.metadata.filename;
    if (!filename) throw new BadRequestException({ error: UPLOAD_MESSAGES.filenameRequired });
    const path = parseTreePath(filename);
    if (path.length === 0) throw new BadRequestException({ error: UPLOAD_MESSAGES.filenameRequired });
    await this.files.assertCanPut(owner.id, path);
    // Each holds a row, a blob and maybe a store's multipart upload until it expires.
    if ((await this.uploads.countUnfinishedOfOwner(owner.id)) >= UNFINISHED_UPLOADS_PER_USER) {
      throw new HttpException({ error: UPLOAD_MESSAGES.tooManyUnfinished }, HttpStatus.INSUFFICIENT_STORAGE);
    }
    const now = new Date();
    const expiresAt = this.expiryFrom(now);
    const blobKey = this.blobs.newKey();
    const reservedUntil = new Date(expiresAt.getTime() + RESERVATION_SLACK_MS);
    const reservationId = await this.pipeline.reserveResumable(owner, blobKey, upload.length, reservedUntil);
    const row: ResumableUpload = {
      id: upload.id,
      ownerId: owner.id,
      path: formatTreePath(path),
      contentType: (upload.metadata.filetype ?? '').slice(0, 255),
      metadata: JSON.stringify(upload.metadata),
      length: upload.length,
      received: 0,
      durable: 0,
      blobKey,
      storageState: null,
      reservationId,
      createdAt: now,
      activeAt: now,
      expiresAt,
      finishedAt: null,
    };
    try {
      await this.uploads.insert(row);
      row.storageState = await this.blobs.startResumable(blobKey, storedContentType(row.contentType || undefined, path[path.length - 1]));
      await this.uploads.setState(row.id, row.storageState);
    } catch (error) {
      await this.discard(row).catch((cleanup: unknown) => {
        // The row, if its insert committed at all, is swept at its expiry; the reservation must
        // not wait that long (it holds the quota of an upload the client was told failed).
        this.pipeline.releaseResumableLater(row.blobKey);
        this.logger.warn(`could not clean up upload ${row.id} that failed to begin: ${String(cleanup)}`);
      });
      throw error;
    }
    remember(this.hashes, row.id, { offset: 0, hash: createHash('sha256') });
    remember(this.owners, row.id, row.ownerId);
    remember(this.reservedUntil, row.id, reservedUntil.getTime());
    if (row.length === 0) await this.finish(row);
    return row;
  }

  /**
   * Refuses anyone's upload but the caller's, and one that does not exist, as not found. An
   * upload's owner never changes, so an owner seen once is kept in memory: a PATCH costs no query
   * for this (whether the upload still exists is for the read under its lock to tell).
   */
  async assertOwner(id: string, ownerId: number): Promise<void> {
    let owner = this.owners.get(id);
    if (owner === undefined) {
      const row = await this.uploads.find(id);
      if (row) remember(this.owners, id, row.ownerId);
      owner = row?.ownerId;
    }
    if (owner !== ownerId) throw new NotFoundException({ error: UPLOAD_MESSAGES.notFound });
  }

  /**
   * The upload as it is now; call under its lock. An upload that has all its bytes but did not
   * become a file (its last request failed while committing: the store or the database was
   * down) is committed now, so that no client is told it is complete before its file exists. The
   * next append under the same lock reuses the row instead of reading it again.
   */
  async current(id: string): Promise<ResumableUpload | null> {
    const row = await this.uploads.find(id);
    if (!row) return null;
    if (row.received === row.length && !row.finishedAt) await this.finish(row);
    remember(this.lockedRows, id, row);
    return row;
  }

  /**
   * Appends the bytes at the recorded offset (the caller holds the upload's lock and checked the
   * offset); the last byte makes the upload a file version before this resolves.
   */
  async append(id: string, source: Readable): Promise<number> {
    const row = this.takeLockedRow(id) ?? (await this.uploads.find(id));
    if (!row) throw new NotFoundException({ error: UPLOAD_MESSAGES.notFound });
    if (row.finishedAt) return row.length;
    if (row.received < row.length) {
      // Taken out while bytes flow: an append that fails may have hashed bytes it never recorded.
      const running = this.hashes.get(id);
      this.hashes.delete(id);
      const hash = running?.offset === row.received ? running.hash : undefined;
      const offset = await this.blobs.appendResumable(row.blobKey, row.storageState ?? '', source, {
        offset: row.received,
        durable: row.durable,
        length: row.length,
        hash,
        record: async ({ offset, durable, state }) => {
          const now = new Date();
          Object.assign(row, { received: offset, durable, storageState: state, activeAt: now, expiresAt: this.expiryFrom(now) });
          await this.uploads.recordProgress(row);
        },
      });
      if (hash) remember(this.hashes, id, { offset, hash });
      await this.extendReservation(row);
    }
    if (row.received === row.length) await this.finish(row);
    return row.received;
  }

  /**
   * The reservation must outlive the upload. It is set RESERVATION_SLACK_MS past the expiry and
   * moved on only when less than half of that is left, so that most PATCHes write one row, not two.
   */
  private async extendReservation(row: ResumableUpload): Promise<void> {
    if (row.reservationId === null) return;
    const known = this.reservedUntil.get(row.id) ?? 0;
    if (known - row.expiresAt.getTime() > RESERVATION_SLACK_MS / 2) return;
    const until = new Date(row.expiresAt.getTime() + RESERVATION_SLACK_MS);
    await this.pipeline.extendResumable(row.reservationId, until);
    remember(this.reservedUntil, row.id, until.getTime());
  }

  private takeLockedRow(id: string): ResumableUpload | undefined {
    const row = this.lockedRows.get(id);
    this.lockedRows.delete(id);
    return row;
  }

  /** Termination: the bytes, the reservation and the upload go (a finished upload's file stays). */
  async remove(id: string): Promise<void> {
    const row = await this.uploads.find(id);
    if (row) await this.discard(row);
  }

  /**
   * Uploads that have all their bytes but no file (their last request met an outage) are
   * committed by the server itself, each under its lock, once the dependency is back: no client
   * has to come back for them. Resolves to how many became files.
   */
  async finishReceived(): Promise<number> {
    let finished = 0;
    for (const row of await this.uploads.findReceivedUnfinished(SWEEP_BATCH)) {
      try {
        await this.underItsLock(row.id, async (current) => {
          if (current.received !== current.length || current.finishedAt) return;
          await this.finish(current);
          finished++;
        });
      } catch (error) {
        this.logger.warn(`could not finish upload ${row.id} yet: ${String(error)}`);
      }
    }
    return finished;
  }

  /** Uploads idle past UPLOAD_EXPIRY go with their bytes and reservations; each is taken under its lock, so that two instances never sweep one together. */
  async sweepExpired(now = new Date()): Promise<number> {
    let swept = 0;
    for (;;) {
      const rows = await this.uploads.findExpired(now, SWEEP_BATCH);
      for (const row of rows) {
        await this.underItsLock(row.id, async (current) => {
          if (current.expiresAt >= now) return;
          await this.discard(current);
          swept++;
        });
      }
      if (rows.length < SWEEP_BATCH) break;
    }
    if (swept > 0) this.logger.log(`removed ${swept} expired upload(s)`);
    return swept;
  }

  /**
   * For the server's own sweeps: runs `work` on the upload as it is now (read again under its
   * lock: what was read before may have changed), unless a request holds the lock or it is gone.
   */
  private async underItsLock(id: string, work: (current: ResumableUpload) => Promise<void>): Promise<void> {
    const lockName = `upload:${id}`;
    const token = randomBytes(16).toString('hex');
    if (!(await this.locks.tryAcquire(lockName, token, LOCK_TTL_MS))) return;
    try {
      const current = await this.uploads.find(id);
      if (current) await work(current);
    } finally {
      await this.locks.release(lockName, token).catch(() => undefined);
    }
  }

  /**
   * Makes the received bytes a file version, once: a version is the commit, and its blob key is
   * unique, so an attempt that committed but could not mark the upload finished (the database
   * went away in between) is recognised by the next one (FilesService.putHeld), which only
   * marks it. An outage keeps the bytes and the reservation for that next attempt; any other
   * failure ends the upload (discard). Bytes that are gone end it too: it never stays stuck.
   */
  private async finish(row: ResumableUpload): Promise<StoredFileVersionDto> {
    let sha256: string;
    try {
      await this.blobs.completeResumable(row.blobKey, row.storageState ?? '');
      const running = this.hashes.get(row.id);
      this.hashes.delete(row.id);
      this.reservedUntil.delete(row.id);
      sha256 = running?.offset === row.length ? running.hash.digest('hex') : await this.hashOf(row.blobKey);
    } catch (error) {
      if (!(error instanceof BlobNotFoundError)) throw error;
      await this.discard(row);
      throw new NotFoundException({ error: UPLOAD_MESSAGES.notFound });
    }
    const held = this.pipeline.heldResumable(row.blobKey, { size: row.length, sha256 });
    let stored: StoredFileVersionDto;
    try {
      stored = await this.files.putHeld(row.ownerId, parseTreePath(row.path), held, row.contentType || undefined);
    } catch (error) {
      // Only a refusal (a folder took the path: 409) ends the upload; an outage, or anything
      // else, keeps the bytes and the reservation for the next request.
      if (unavailableDependency(error) || !(error instanceof HttpException)) throw error;
      await this.discard(row);
      throw error;
    }
    row.finishedAt = new Date();
    await this.uploads.markFinished(row.id, row.finishedAt);
    return stored;
  }

  /** Another instance took part of the bytes, or this one restarted: hash what the store holds. */
  private async hashOf(key: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of await this.blobs.read(key)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  /**
   * Ends an upload: the row goes first, then what it named. Whatever fails after that is no
   * upload's any more: a release is retried (ReservationReleases), bytes are found by the orphan
   * sweep (BlobSweeper). The other order could leave a row that names bytes already gone.
   */
  private async discard(row: ResumableUpload): Promise<void> {
    this.hashes.delete(row.id);
    this.lockedRows.delete(row.id);
    this.reservedUntil.delete(row.id);
    await this.uploads.delete(row.id);
    if (row.reservationId !== null) await this.pipeline.releaseResumable(row.blobKey);
    if (row.finishedAt) return;
    const forget = (error: unknown): void => this.logger.warn(`could not remove the bytes of upload ${row.id}; the orphan sweep will: ${String(error)}`);
    // All its bytes, and maybe committed by an attempt whose end was lost: then they are a version's.
    if (row.received === row.length && !(await this.holders.isBlobReferenced(row.blobKey))) await this.blobs.delete(row.blobKey).catch(forget);
    if (row.storageState !== null) await this.blobs.abortResumable(row.blobKey, row.storageState).catch(forget);
  }

  private async deleteAllOf(ownerId: number): Promise<void> {
    for (const row of await this.uploads.findOfOwner(ownerId)) await this.discard(row);
  }

  private expiryFrom(activeAt: Date): Date {
    return new Date(activeAt.getTime() + this.config.uploadExpiryMs);
  }
}
