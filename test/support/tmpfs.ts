import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A small tmpfs of the test's own, to run the app out of disk space on purpose. */
export interface Tmpfs {
  path: string;
  /** Lazily unmounts (`umount -l`: open files do not keep it busy) and removes the folder. Safe to call twice. */
  unmount(): Promise<void>;
  /**
   * Writes zeros into a new file until the filesystem is full to the byte, and resolves to that
   * file's path: deleting it gives the space back.
   */
  fill(): Promise<string>;
}

/** mount(8) needs root (CAP_SYS_ADMIN); suites that need a full disk skip themselves otherwise. */
export function canMountTmpfs(): boolean {
  return process.getuid?.() === 0;
}

/** Mounts a tmpfs of `sizeBytes` (the kernel rounds it up to whole pages) on a fresh temp folder. */
export async function mountTmpfs(sizeBytes: number): Promise<Tmpfs> {
  const path = mkdtempSync(join(tmpdir(), 'cloudstash-tmpfs-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', path]);
  } catch (err) {
    rmSync(path, { recursive: true, force: true });
    throw err;
  }
  let mounted = true;
  let fillers = 0;
  return {
    path,
    unmount: async () => {
      if (!mounted) return;
      mounted = false;
      await run('umount', ['-l', path]);
      rmSync(path, { recursive: true, force: true });
    },
    fill: async () => {
      fillers += 1;
      const file = join(path, `filler-${fillers}`);
      const handle = await open(file, 'wx');
      try {
        // 1 MiB at a time, then ever smaller chunks once one no longer fits, down to one byte:
        // afterwards not even a byte (not even a new file's first page) fits anywhere.
        let chunk = Buffer.alloc(1024 * 1024);
        for (;;) {
          try {
            await handle.write(chunk);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
            if (chunk.length === 1) break;
            chunk = chunk.subarray(0, Math.ceil(chunk.length / 2));
          }
        }
      } finally {
        await handle.close();
      }
      return file;
    },
  };
}
