import { AppConfig } from '../config/app-config';
import { BlobStore } from '../storage/blob-store';
import { UploadReservation } from './entities/upload-reservation.entity';
import { UPLOAD_STALE_MS } from './files.constants';
import { uploadInstanceId } from './upload-instance';
import { UploadReservationsRepository } from './upload-reservations.repository';
import { BlobHolders } from './blob-holders';
import { UploadSweeper } from './upload-sweeper.service';

describe('UploadSweeper', () => {
  const config = { port: 3000, dataDir: '/data' } as AppConfig;
  const me = uploadInstanceId(config);
  const now = Date.parse('2026-11-21T12:00:00Z');
  let rows: UploadReservation[];
  let deletedBlobs: string[];
  let sweeper: UploadSweeper;

  function row(id: number, instanceId: string, silentMs: number): UploadReservation {
    return Object.assign(new UploadReservation(), { id, userId: 1, blobKey: `blob${id}`, reservedBytes: 10, instanceId, createdAt: new Date(now - silentMs), heartbeatAt: new Date(now - silentMs) });
  }

  beforeEach(() => {
    rows = [row(1, me, 1000), row(2, 'other-host:3000:/data', 1000), row(3, 'other-host:3000:/data', UPLOAD_STALE_MS + 1000), row(4, me, 5)];
    deletedBlobs = [];
    const reservations = {
      findAbandoned: async (silentSince: Date, limit: number, instanceId?: string) =>
        rows.filter((r) => r.heartbeatAt < silentSince || (instanceId !== undefined && r.instanceId === instanceId)).slice(0, limit),
      delete: async (id: number) => {
        rows = rows.filter((r) => r.id !== id);
      },
    };
    const holders = new BlobHolders();
    holders.register({ bytesByOwner: async () => new Map(), blobKeysIn: async (keys: readonly string[]) => new Set(keys.filter((key) => key === 'blob4')) });
    const blobs = { delete: async (key: string) => void deletedBlobs.push(key) };
    sweeper = new UploadSweeper(config, blobs as unknown as BlobStore, holders, reservations as unknown as UploadReservationsRepository);
  });

  it("at start-up, takes this instance's rows from its previous run and every stale row, keeping committed blobs", async () => {
    expect(await sweeper.sweep(true, now)).toBe(3);
    expect(rows.map((r) => r.id)).toEqual([2]);
    // blob4 was committed as a version before the crash: only its row goes.
    expect(deletedBlobs.sort()).toEqual(['blob1', 'blob3']);
  });

  it("later, takes only rows silent for long: another instance's live upload is left alone", async () => {
    expect(await sweeper.sweep(false, now)).toBe(1);
    expect(rows.map((r) => r.id)).toEqual([1, 2, 4]);
    expect(deletedBlobs).toEqual(['blob3']);
  });
});
