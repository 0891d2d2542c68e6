import { HttpException } from '@nestjs/common';
import { Readable } from 'node:stream';
import { AppConfig } from '../config/app-config';
import { BlobEntry, BlobStore, BlobTooLargeError, BlobWriteOptions, BlobWriteResult, ByteRange } from '../storage/blob-store';
import { User } from '../users/user.entity';
import { FileVersion } from './entities/file-version.entity';
import { StoredFile } from './entities/stored-file.entity';
import { UploadReservation } from './entities/upload-reservation.entity';
import { BlobHolders } from './blob-holders';
import { FilePlace, FileUploadService } from './file-upload.service';
import { ReservationReleases } from './reservation-releases';
import { InFlightWork } from '../lifecycle/in-flight-work';
import { TrashPurger } from './trash/trash-purger';
import { ROOT_FOLDER_ID } from './entities/folder.entity';
import { MetricsService } from '../observability/metrics.service';
import { FilesRepository } from './files.repository';
import { FileVersionsRepository, NewFileVersion } from './file-versions.repository';
import { NewUploadReservation, UploadReservationsRepository } from './upload-reservations.repository';

/** A blob store in memory that records what was asked of it. */
class FakeBlobStore extends BlobStore {
  readonly blobs = new Map<string, Buffer>();
  readonly deleted: string[] = [];
  writeOptions: BlobWriteOptions | undefined;
  private counter = 0;

  newKey(): string {
    return `key${++this.counter}`.padEnd(32, '0');
  }

  startResumable(): Promise<string> {
    throw new Error('not used by these tests');
  }
  appendResumable(): Promise<number> {
    throw new Error('not used by these tests');
  }
  completeResumable(): Promise<void> {
    throw new Error('not used by these tests');
  }
  abortResumable(): Promise<void> {
    throw new Error('not used by these tests');
  }

  async write(key: string, source: Readable, options: BlobWriteOptions = {}): Promise<BlobWriteResult> {
    this.writeOptions = options;
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of source.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (options.maxBytes !== undefined && size > options.maxBytes) throw new BlobTooLargeError(options.maxBytes);
      chunks.push(chunk);
    }
    this.blobs.set(key, Buffer.concat(chunks));
    return { size, sha256: 'f'.repeat(64) };
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const blob = this.blobs.get(key) ?? Buffer.alloc(0);
    return Readable.from([range ? blob.subarray(range.start, range.end + 1) : blob]);
  }

  async delete(key: string): Promise<void> {
    this.deleted.push(key);
    this.blobs.delete(key);
  }

  async stat(): Promise<null> {
    return null;
  }

  async *list(): AsyncIterable<BlobEntry> {
    for (const [key, blob] of this.blobs) yield { key, size: blob.length, modifiedAt: new Date() };
  }

  sweepResumables(): Promise<number> {
    return Promise.resolve(0);
  }

  async ping(): Promise<void> {}
}

class FakeReservations {
  readonly rows = new Map<number, UploadReservation>();
  private nextId = 1;

  async insert(reservation: NewUploadReservation): Promise<UploadReservation> {
    const row = Object.assign(new UploadReservation(), reservation, { id: this.nextId++, createdAt: new Date(), heartbeatAt: new Date() });
    this.rows.set(row.id, row);
    return row;
  }

  async setReservedBytes(id: number, reservedBytes: number): Promise<void> {
    const row = this.rows.get(id);
    if (row) row.reservedBytes = reservedBytes;
  }

  async touch(): Promise<void> {}

  async delete(id: number): Promise<void> {
    this.rows.delete(id);
  }

  async deleteOfBlob(blobKey: string): Promise<void> {
    for (const row of this.rows.values()) if (row.blobKey === blobKey) this.rows.delete(row.id);
  }

  async reservedByUser(userId: number, exceptId: number): Promise<number> {
    return [...this.rows.values()].filter((r) => r.userId === userId && r.id !== exceptId).reduce((sum, r) => sum + r.reservedBytes, 0);
  }
}

/** A name in the root folder. */
function place(name: string): FilePlace {
  return { folderId: ROOT_FOLDER_ID, name };
}

class FakeFiles {
  readonly files: StoredFile[] = [];
  async findOrCreate(ownerId: number, folderId: number, name: string): Promise<StoredFile> {
    let file = this.files.find((f) => f.ownerId === ownerId && f.folderId === folderId && f.name === name);
    if (!file) {
      file = Object.assign(new StoredFile(), { id: this.files.length + 1, ownerId, folderId, name, createdAt: new Date() });
      this.files.push(file);
    }
    return file;
  }
}

class FakeVersions {
  readonly versions: FileVersion[] = [];
  storedBytes = 0;
  failNextWith: Error | undefined;

  async insertNext(fileId: number, version: NewFileVersion): Promise<FileVersion> {
    if (this.failNextWith) {
      const error = this.failNextWith;
      this.failNextWith = undefined;
      throw error;
    }
    const number = this.versions.filter((v) => v.fileId === fileId).length + 1;
    const row = Object.assign(new FileVersion(), version, { id: this.versions.length + 1, fileId, version: number, createdAt: new Date() });
    this.versions.push(row);
    return row;
  }

  async bytesByOwner(ownerIds: readonly number[]): Promise<Map<number, number>> {
    return new Map(ownerIds.map((id) => [id, this.storedBytes]));
  }

  async blobKeysIn(): Promise<Set<string>> {
    return new Set();
  }
}

function holdersOf(versions: FakeVersions): BlobHolders {
  const holders = new BlobHolders();
  holders.register(versions);
  return holders;
}

function user(storageQuota: number | null): User {
  return Object.assign(new User(), { id: 7, username: 'alice', storageQuota });
}

describe('FileUploadService', () => {
  const config = { maxUploadBytes: 1000, port: 3000, dataDir: '/data' } as AppConfig;
  let blobs: FakeBlobStore;
  let reservations: FakeReservations;
  let files: FakeFiles;
  let versions: FakeVersions;
  let service: FileUploadService;

  beforeEach(() => {
    blobs = new FakeBlobStore();
    reservations = new FakeReservations();
    files = new FakeFiles();
    versions = new FakeVersions();
    service = new FileUploadService(
      config,
      blobs,
      files as unknown as FilesRepository,
      versions as unknown as FileVersionsRepository,
      reservations as unknown as UploadReservationsRepository,
      holdersOf(versions),
      new MetricsService(),
      { makeRoom: () => Promise.resolve(0) } as unknown as TrashPurger,
      new ReservationReleases(reservations as unknown as UploadReservationsRepository),
      new InFlightWork(),
    );
  });

  async function statusOf(promise: Promise<unknown>): Promise<number> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof HttpException) return error.getStatus();
      throw error;
    }
    return 0;
  }

  it('stores a new version and releases its reservation', async () => {
    const stored = await service.store(user(null), place('a.txt'), { stream: Readable.from([Buffer.from('hello')]), contentType: 'text/plain', size: 5 });
    expect(stored.version).toMatchObject({ version: 1, size: 5, contentType: 'text/plain' });
    expect(blobs.blobs.get(stored.version.blobKey)?.toString()).toBe('hello');
    expect(reservations.rows.size).toBe(0);
  });

  it('refuses a declared size over MAX_UPLOAD_BYTES with 413 before reserving or reading', async () => {
    const stream = Readable.from([Buffer.alloc(10)]);
    expect(await statusOf(service.store(user(null), place('a'), { stream, contentType: undefined, size: 1001 }))).toBe(413);
    expect(reservations.rows.size).toBe(0);
    expect(stream.readableFlowing).toBeNull();
  });

  it('answers 413 when an undeclared body passes the limit, removing the blob and the reservation', async () => {
    const status = await statusOf(service.store(user(null), place('a'), { stream: Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), contentType: undefined }));
    expect(status).toBe(413);
    expect(blobs.writeOptions?.maxBytes).toBe(1000);
    expect(blobs.deleted).toHaveLength(1);
    expect(reservations.rows.size).toBe(0);
    expect(versions.versions).toHaveLength(0);
  });

  it('refuses a declared size over the quota with 507 before any byte is written', async () => {
    versions.storedBytes = 700;
    expect(await statusOf(service.store(user(1000), place('a'), { stream: Readable.from([Buffer.alloc(400)]), contentType: undefined, size: 400 }))).toBe(507);
    expect(blobs.writeOptions).toBeUndefined();
    expect(reservations.rows.size).toBe(0);
  });

  it('counts other uploads in flight against the quota', async () => {
    await reservations.insert({ userId: 7, blobKey: 'other', reservedBytes: 800, instanceId: 'elsewhere' });
    expect(await statusOf(service.store(user(1000), place('a'), { stream: Readable.from([Buffer.alloc(300)]), contentType: undefined, size: 300 }))).toBe(507);
    expect(await statusOf(service.store(user(1000), place('b'), { stream: Readable.from([Buffer.alloc(200)]), contentType: undefined, size: 200 }))).toBe(0);
  });

  it('limits an undeclared body to what the quota leaves and answers 507 past it', async () => {
    versions.storedBytes = 900;
    const status = await statusOf(service.store(user(1000), place('a'), { stream: Readable.from([Buffer.alloc(150)]), contentType: undefined }));
    expect(status).toBe(507);
    expect(blobs.writeOptions?.maxBytes).toBe(100);
    expect(blobs.deleted).toHaveLength(1);
    expect(reservations.rows.size).toBe(0);
  });

  it('answers 413, not 507, when the upload limit is tighter than the quota', async () => {
    const status = await statusOf(service.store(user(1_000_000), place('a'), { stream: Readable.from([Buffer.alloc(1001)]), contentType: undefined }));
    expect(status).toBe(413);
  });

  it('adds the version again when the file was deleted between finding it and committing', async () => {
    versions.failNextWith = Object.assign(new Error('FOREIGN KEY constraint failed'), { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    const stored = await service.store(user(null), place('a'), { stream: Readable.from([Buffer.from('x')]), contentType: undefined });
    expect(stored.version.version).toBe(1);
    expect(blobs.deleted).toHaveLength(0);
  });

  it('removes the blob when the commit fails for good', async () => {
    versions.failNextWith = new Error('database gone');
    await expect(service.store(user(null), place('a'), { stream: Readable.from([Buffer.from('x')]), contentType: undefined })).rejects.toThrow('database gone');
    expect(blobs.blobs.size).toBe(0);
    expect(blobs.deleted).toHaveLength(1);
    expect(reservations.rows.size).toBe(0);
  });

  it('stores application/octet-stream for a missing or malformed Content-Type', async () => {
    const stored = await service.store(user(null), place('a'), { stream: Readable.from([Buffer.from('x')]), contentType: 'not a type' });
    expect(stored.version.contentType).toBe('application/octet-stream');
  });
});
