import { statfs } from 'node:fs/promises';
import { StorageFullError } from './blob-store';

/**
 * Below this much free space, or below MIN_FREE_SHARE of the disk when that is less (a small
 * disk), a disk counts as full: the writes it would still take are bound to fail halfway.
 */
const MIN_FREE_BYTES = 64 * 1024 * 1024;
const MIN_FREE_SHARE = 0.01;

/** Bytes the server's user may still write on the filesystem under `dir` (root's reserve aside), and its size. */
export async function freeSpace(dir: string): Promise<{ free: number; total: number }> {
  const info = await statfs(dir);
  return { free: info.bavail * info.bsize, total: info.blocks * info.bsize };
}

/** Throws StorageFullError when the disk under `dir` is (almost) full: readiness and the outage probe ask this. */
export async function assertRoomIn(dir: string): Promise<void> {
  const { free, total } = await freeSpace(dir);
  const floor = Math.min(MIN_FREE_BYTES, Math.floor(total * MIN_FREE_SHARE));
  if (free < floor) throw new StorageFullError(new Error(`${free} bytes free under ${dir}, below the floor of ${floor}`));
}
