import { HttpException, HttpStatus, Inject, Injectable, Logger, PayloadTooLargeException } from '@nestjs/common';
import { Readable } from 'node:stream';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MetricsService } from '../observability/metrics.service';
import { BlobStore, BlobTooLargeError, BlobWriteResult } from '../storage/blob-store';
import { holdEarlyErrors } from '../storage/metered-copy';
import { SessionUser } from '../users/user.entity';
import { storedContentType } from './content-type';
import { isForeignKeyViolation } from '../database/database-errors';
import { FileVersion } from './entities/file-version.entity';
import { StoredFile } from './entities/stored-file.entity';
import { FILE_MESSAGES, UPLOAD_HEARTBEAT_MS } from './files.constants';
import { FilesRepository } from './files.repository';
import { FileVersionsRepository } from './file-versions.repository';
import { BlobHolders } from './blob-holders';
import { uploadInstanceId } from './upload-instance';
import { NewUploadReservation, UploadReservationsRepository } from './upload-reservations.repository';
import { TrashPurger } from './trash/trash-purger';
import { ReservationReleases } from './reservation-releases';
import { DependencyUnavailableError, unavailableDependency } from '../availability/dependency-errors';
import { InFlightWork } from '../lifecycle/in-flight-work';

/**
 * The instance name of resumable uploads' reservations: no server's (those are host:port:dir), so
 * no start-up sweep takes them; their heartbeat is their expiry instead.
 */
const RESUMABLE_INSTANCE = 'resumable';

/** How often a declared-size upload that lost a quota race to concurrent uploads tries again. */
const RESERVE_ATTEMPTS = 5;

export interface UploadSource {
  stream: Readable;
  /** As declared by the client; stored as given when well-formed. */
  contentType: string | undefined;
  /** The exact byte count, when the client declared it (Content-Length of a PUT). */
  size?: number;
  /** No more bytes than this can arrive (a multipart request's Content-Length). */
  atMost?: number;
}

/** Where a file's versions go: a name in a folder (`ROOT_FOLDER_ID` for the root). */
export interface FilePlace {
  folderId: number;
  name: string;
}

export interface StoredUpload {
  file: StoredFile;
  version: FileVersion;
}

/**
 * Bytes that are safely in the blob store, with their quota still reserved, waiting for the
 * row that will own them. Exactly one of commit and discard settles it.
 */
export interface HeldUpload {
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
  /** Runs `record` (insert the version or sound row) while the reservation holds, then releases it; on failure, abandon(), except that a database gone mid-insert leaves the blob to the orphan sweep. */
  commit<T>(record: () => Promise<T>): Promise<T>;
  /** Gives up: removes the blob and releases the reservation. Does nothing once settled. */
  discard(): Promise<void>;
  /**
   * Gives up after a failure: discards, except the bytes of a resumable upload, which stay with
   * their reservation: its row names both, and UploadsService decides (commit again after an
   * outage, or end the upload).
   */
  abandon(): Promise<void>;
}

export interface ReceiveOptions {
  /** The metrics label: which door the bytes came in by. */
  source: 'files' | 'sounds';
  /** Stored with the blob (S3 object metadata). */
  contentType?: string;
}

interface Hold {
  reservationId: number;
  /** The write fails past this many bytes. */
  maxBytes: number;
  /** The quota, not the upload limit, set maxBytes: going past it is 507, not 413. */
  quotaBound: boolean;
}

export function tooLarge(limit: number): HttpException {
  return new PayloadTooLargeException({ error: FILE_MESSAGES.tooLarge(limit) });
}

export function quotaExceeded(): HttpException {
  return new HttpException({ error: FILE_MESSAGES.quotaExceeded }, HttpStatus.INSUFFICIENT_STORAGE);
}

/**
 * The one upload pipeline of Files and Sounds (and of every protocol that stores bytes):
 * reserve (limit and quota, counting every upload in flight), stream into the blob store (size
 * and sha256 on the way), let the caller commit its row, release the reservation. A failure at
 * any step removes the blob, except where the store is down or the database may have committed
 * the row before it went (the orphan sweep, BlobSweeper, then removes what no row names); a crash
 * leaves the reservation row, which names the blob for the sweeper.
 */
@Injectable()
export class FileUploadService {
  private readonly logger = new Logger(FileUploadService.name);
  private readonly instanceId: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly blobs: BlobStore,
    private readonly files: FilesRepository,
    private readonly versions: FileVersionsRepository,
    private readonly reservations: UploadReservationsRepository,
    private readonly holders: BlobHolders,
    private readonly metrics: MetricsService,
    private readonly trash: TrashPurger,
    private readonly releases: ReservationReleases,
    private readonly inFlight: InFlightWork,
  ) {
    this.instanceId = uploadInstanceId(config);
  }

  /** One upload as a new version of the owner's file `name` in the folder. */
  async store(owner: SessionUser, place: FilePlace, source: UploadSource): Promise<StoredUpload> {
    const contentType = storedContentType(source.contentType, place.name);
    const held = await this.receive(owner, source, { source: 'files', contentType });
    return held.commit(() => this.commitVersion(owner.id, place, held, contentType));
  }

  /** Streams the bytes into the blob store under a quota reservation; the caller then commits or discards. */
  async receive(owner: SessionUser, source: UploadSource, options: ReceiveOptions): Promise<HeldUpload> {
    const limit = this.config.maxUploadBytes;
    // A declared size over the limit is refused before a byte is read.
    if (source.size !== undefined && source.size > limit) throw tooLarge(limit);
    // The source may fail while the reservation's queries run (a client that hangs up, the audio
    // sniffer refusing the first bytes): held here, re-thrown when the store reads it.
    const releaseEarlyErrors = holdEarlyErrors(source.stream);
    try {
      return await this.receiveHeld(owner, source, options);
    } finally {
      releaseEarlyErrors();
    }
  }

  private async receiveHeld(owner: SessionUser, source: UploadSource, options: ReceiveOptions): Promise<HeldUpload> {
    const limit = this.config.maxUploadBytes;
    const key = this.blobs.newKey();
    const hold = await this.reserving(key, () => this.reserve(owner, key, source));
    // Until it is settled, shutdown waits for this upload's clean-up (its request may be cut).
    let settled!: () => void;
    void this.inFlight.track(new Promise<void>((resolve) => (settled = resolve)));
    const heartbeat = setInterval(() => {
      this.reservations.touch(hold.reservationId).catch((error: unknown) => this.logger.warn(`upload heartbeat failed: ${String(error)}`));
    }, UPLOAD_HEARTBEAT_MS);
    heartbeat.unref();
    const uploadFinished = this.metrics.uploadStarted();
    const release = async (databaseDown = false): Promise<void> => {
      uploadFinished();
      clearInterval(heartbeat);
      if (databaseDown) this.releases.later(key);
      else await this.releases.release(key);
      settled();
    };
    let written: BlobWriteResult;
    try {
      written = await this.blobs.write(key, source.stream, { maxBytes: hold.maxBytes, contentType: options.contentType });
    } catch (error) {
      // A write is all or nothing; this only makes sure. Not while the store is down: the
      // request would wait for it, and what a store kept of a failed write is the sweep's.
      if (!(error instanceof DependencyUnavailableError)) await this.removeBlob(key);
      await release();
      if (error instanceof BlobTooLargeError) throw hold.quotaBound ? quotaExceeded() : tooLarge(limit);
      throw error;
    }
    return this.held(key, written, options.source, release, false);
  }

  /**
   * A blob nothing will use. When the store cannot delete it now (it is down), the orphan sweep
   * (BlobSweeper) removes it later, since no row names it.
   */
  private removeBlob(key: string): Promise<void> {
    return this.blobs.delete(key).catch((cause: unknown) => this.logger.warn(`could not remove blob ${key} of a failed upload: ${String(cause)}`));
  }

  /**
   * Bytes safely stored under `key`, whose reservation `release` ends: committed or discarded
   * once. A `resumable` hold is not discarded by a failure (see HeldUpload.abandon).
   */
  private held(key: string, written: BlobWriteResult, source: ReceiveOptions['source'], release: (databaseDown?: boolean) => Promise<void>, resumable: boolean): HeldUpload {
    let settled = false;
    const discard = async (): Promise<void> => {
      if (settled) return;
      settled = true;
      await release();
      await this.removeBlob(key);
    };
    const abandon = async (): Promise<void> => {
      if (!resumable) await discard();
    };
    return {
      key,
      size: written.size,
      sha256: written.sha256,
      commit: async <T>(record: () => Promise<T>): Promise<T> => {
        if (settled) throw new Error('this upload was already committed or discarded');
        let result: T;
        try {
          result = await record();
        } catch (error) {
          // The database went away during the insert: it may have committed it before. The blob
          // stays (the orphan sweep removes it if no row names it); the reservation goes later.
          if (!resumable && unavailableDependency(error) === 'database') {
            settled = true;
            await release(true);
          } else await abandon();
          throw error;
        }
        settled = true;
        this.metrics.bytesUploaded(written.size, source);
        await release();
        return result;
      },
      discard,
      abandon,
    };
  }

  /**
   * The quota of a resumable upload (tus): all of `size` is reserved now, or the upload is refused
   * (413 over MAX_UPLOAD_BYTES, 507 over the quota), exactly as for a PUT that declares its size.
   * The reservation lives until `until` (the upload's expiry, moved on by extendResumable).
   */
  async reserveResumable(owner: SessionUser, blobKey: string, size: number, until: Date): Promise<number> {
    if (size > this.config.maxUploadBytes) throw tooLarge(this.config.maxUploadBytes);
    const base = { userId: owner.id, blobKey, instanceId: RESUMABLE_INSTANCE };
    const quota = owner.storageQuota;
    return this.reserving(blobKey, async () => {
      if (quota === null) return (await this.reservations.insert({ ...base, reservedBytes: size }, until)).id;
      return (await this.reserveExactly(owner.id, quota, size, base, until)).reservationId;
    });
  }

  /**
   * Runs an upload's reservation queries. One that fails other than by refusing the upload (the
   * database went away, maybe after an insert had committed) leaves no reservation behind: what
   * it inserted is released by blob key, later when the database is known to be down, so that the
   * request does not wait on it.
   */
  private async reserving<T>(blobKey: string, reserve: () => Promise<T>): Promise<T> {
    try {
      return await reserve();
    } catch (error) {
      if (unavailableDependency(error)) this.releases.later(blobKey);
      else if (!(error instanceof HttpException)) await this.releases.release(blobKey);
      throw error;
    }
  }

  async extendResumable(reservationId: number, until: Date): Promise<void> {
    await this.reservations.touchUntil(reservationId, until);
  }

  /** Ends a resumable upload's reservation, now or (the database being down) as soon as it can. */
  async releaseResumable(blobKey: string): Promise<void> {
    await this.releases.release(blobKey);
  }

  /** Ends a resumable upload's reservation as soon as the database, known to be down, is back. */
  releaseResumableLater(blobKey: string): void {
    this.releases.later(blobKey);
  }

  /**
   * A finished resumable blob under its reservation, to commit like any upload: the reservation
   * ends with the commit; after a failure both stay with the upload's row (HeldUpload.abandon).
   */
  heldResumable(key: string, written: BlobWriteResult): HeldUpload {
    return this.held(key, written, 'files', () => this.releases.release(key), true);
  }

  /** The version that holds the blob, if one does. */
  async versionOfBlob(blobKey: string): Promise<StoredUpload | null> {
    const version = await this.versions.findByBlobKey(blobKey);
    const file = version && (await this.files.findById(version.fileId));
    return version && file ? { file, version } : null;
  }

  /** Takes back a committed version (a later part of the same request failed); the blob goes with it. */
  async undoVersion(stored: StoredUpload): Promise<void> {
    await this.versions.deleteByIds([stored.version.id]);
    await this.files.deleteIfEmpty(stored.file.id);
    await this.blobs.delete(stored.version.blobKey).catch((error: unknown) => this.logger.warn(`could not remove blob ${stored.version.blobKey}: ${String(error)}`));
  }

  /**
   * Inserts this upload's reservation, then checks the quota counting it and every other upload
   * in flight. Because each upload checks after its own row is visible, of two concurrent
   * uploads the later check always sees the earlier one: together they cannot overrun the quota.
   * Reservations are read before stored bytes, so that an upload committing in between is
   * counted twice (harmless) rather than not at all.
   */
  private async reserve(owner: SessionUser, blobKey: string, source: UploadSource): Promise<Hold> {
    const cap = Math.min(this.config.maxUploadBytes, source.size ?? source.atMost ?? Number.MAX_SAFE_INTEGER);
    const base = { userId: owner.id, blobKey, instanceId: this.instanceId };
    const quota = owner.storageQuota;
    if (quota === null) {
      const row = await this.reservations.insert({ ...base, reservedBytes: cap });
      return { reservationId: row.id, maxBytes: cap, quotaBound: false };
    }
    if (source.size !== undefined) return this.reserveExactly(owner.id, quota, source.size, base);
    const before = await this.available(owner.id, quota);
    const row = await this.reservations.insert({ ...base, reservedBytes: Math.max(0, Math.min(cap, before)) });
    const available = await this.available(owner.id, quota, row.id);
    // A reservation only ever shrinks after its check: growing it could overrun an upload that checked meanwhile.
    const maxBytes = Math.max(0, Math.min(row.reservedBytes, available));
    if (maxBytes !== row.reservedBytes) await this.reservations.setReservedBytes(row.id, maxBytes);
    return { reservationId: row.id, maxBytes, quotaBound: maxBytes < cap };
  }

  /**
   * A declared size: all of it is reserved, or the upload is refused before a byte is read.
   * Uploads that check at the same moment may each see the others and all back off; each then
   * retries after a random pause, so that one of them gets through instead of none.
   */
  private async reserveExactly(ownerId: number, quota: number, size: number, base: Omit<NewUploadReservation, 'reservedBytes'>, heartbeatAt?: Date): Promise<Hold> {
    for (let attempt = 1; ; attempt++) {
      const row = await this.reservations.insert({ ...base, reservedBytes: size }, heartbeatAt);
      const available = await this.available(ownerId, quota, row.id);
      if (size <= available) return { reservationId: row.id, maxBytes: size, quotaBound: false };
      await this.reservations.delete(row.id);
      // When the stored bytes alone leave no room, waiting for uploads in flight cannot help;
      // the oldest trash is purged for it (CONTRACT §9), and then it tries again.
      const short = size - (quota - (await this.holders.bytesOfOwner(ownerId)));
      if (short > 0) {
        if ((await this.trash.makeRoom(ownerId, short)) > 0) continue;
        throw quotaExceeded();
      }
      if (attempt >= RESERVE_ATTEMPTS) throw quotaExceeded();
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }

  private async available(ownerId: number, quota: number, ownReservationId = 0): Promise<number> {
    const inFlight = await this.reservations.reservedByUser(ownerId, ownReservationId);
    const stored = await this.holders.bytesOfOwner(ownerId);
    return quota - stored - inFlight;
  }

  /** Makes held bytes the newest version of the owner's file `name` in the folder (creating the file); call inside `commit`. */
  async commitVersion(ownerId: number, { folderId, name }: FilePlace, written: HeldUpload, contentType: string): Promise<StoredUpload> {
    const blobKey = written.key;
    for (let attempt = 1; ; attempt++) {
      const file = await this.files.findOrCreate(ownerId, folderId, name);
      try {
        const version = await this.versions.insertNext(file.id, { blobKey, size: written.size, sha256: written.sha256, contentType });
        return { file, version };
      } catch (error) {
        // The file was deleted between finding it and adding the version: this upload recreates it.
        if (!isForeignKeyViolation(error) || attempt >= 3) throw error;
      }
    }
  }
}
