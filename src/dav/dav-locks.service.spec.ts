import { HttpException } from '@nestjs/common';
import { BlobHolders } from '../files/blob-holders';
import { DavLocksRepository } from './dav-locks.repository';
import { DavLocksService, LOCK_TOKEN_PREFIX, parseTimeout } from './dav-locks.service';
import { DavLock } from './entities/dav-lock.entity';

class FakeLocks {
  rows: DavLock[] = [];
  async listActive(ownerId: number): Promise<DavLock[]> {
    return this.rows.filter((lock) => lock.ownerId === ownerId && lock.expiresAt > new Date());
  }
  async insert(lock: Omit<DavLock, 'id'>): Promise<DavLock> {
    const row = { ...lock, id: this.rows.length + 1 };
    this.rows.push(row);
    return row;
  }
  async extend(): Promise<void> {}
  async deleteByIds(ids: readonly number[]): Promise<void> {
    this.rows = this.rows.filter((lock) => !ids.includes(lock.id));
  }
}

const status = (work: () => unknown): number => {
  try {
    work();
    return 0;
  } catch (error) {
    return error instanceof HttpException ? error.getStatus() : -1;
  }
};

describe('DavLocksService', () => {
  let repo: FakeLocks;
  let locks: DavLocksService;
  beforeEach(() => {
    repo = new FakeLocks();
    locks = new DavLocksService(repo as unknown as DavLocksRepository, new BlobHolders());
  });
  const options = (scope: 'exclusive' | 'shared', depth: '0' | 'infinity' = 'infinity') => ({ scope, depth, ownerXml: null, timeoutSeconds: 60 });

  it('lets shared locks share and refuses anything beside an exclusive one (423)', async () => {
    await locks.lock(1, ['a'], options('shared'));
    await expect(locks.lock(1, ['a'], options('shared'))).resolves.toBeDefined();
    await expect(locks.lock(1, ['a', 'b'], options('exclusive'))).rejects.toMatchObject({ status: 423 });
    await locks.lock(1, ['c'], options('exclusive'));
    await expect(locks.lock(1, ['c'], options('shared'))).rejects.toMatchObject({ status: 423 });
    // A depth-infinity lock on a parent conflicts with an exclusive lock below it.
    await expect(locks.lock(1, [], options('shared'))).rejects.toMatchObject({ status: 423 });
    await expect(locks.lock(1, [], options('shared', '0'))).resolves.toBeDefined();
  });

  it('asks for the token of every lock covering a write, below it too for deep writes', async () => {
    const lock = await locks.lock(1, ['dir'], options('exclusive'));
    const token = new Set([LOCK_TOKEN_PREFIX + lock.token]);
    const active = await locks.listActive(1);
    expect(status(() => locks.assertWritable(active, ['dir', 'file'], false, new Set()))).toBe(423);
    expect(status(() => locks.assertWritable(active, ['dir', 'file'], false, token))).toBe(0);
    expect(status(() => locks.assertWritable(active, ['other'], false, new Set()))).toBe(0);
    // Deleting the root deletes the locked folder.
    expect(status(() => locks.assertWritable(active, [], true, new Set()))).toBe(423);
    expect(status(() => locks.assertWritable(active, [], false, new Set()))).toBe(0);
  });

  it('unlocks only with the token of a lock covering the path', async () => {
    const lock = await locks.lock(1, ['x'], options('exclusive', '0'));
    await expect(locks.unlock(1, ['y'], LOCK_TOKEN_PREFIX + lock.token)).resolves.toBe(false);
    await expect(locks.unlock(1, ['x'], 'urn:uuid:nope')).resolves.toBe(false);
    await expect(locks.unlock(1, ['x'], LOCK_TOKEN_PREFIX + lock.token)).resolves.toBe(true);
    expect(repo.rows).toEqual([]);
  });

  it('keeps an owner of at most 4 KiB (413) and at most 1,000 locks per account (507)', async () => {
    const owner = (bytes: number) => `<D:owner xmlns:D="DAV:">${'x'.repeat(bytes - 34)}</D:owner>`;
    await expect(locks.lock(1, ['big'], { ...options('exclusive', '0'), ownerXml: owner(4097) })).rejects.toMatchObject({ status: 413 });
    await locks.lock(1, ['fits'], { ...options('exclusive', '0'), ownerXml: owner(4096) });
    for (let i = 1; i < 1000; i++) await locks.lock(1, [`f${i}`], options('shared', '0'));
    await expect(locks.lock(1, ['one-more'], options('shared', '0'))).rejects.toMatchObject({ status: 507 });
    // Another account is not affected.
    await expect(locks.lock(2, ['one-more'], options('shared', '0'))).resolves.toMatchObject({ ownerId: 2 });
  });

  it('reads Timeout headers, capped at a day', () => {
    expect(parseTimeout('Second-600')).toBe(600);
    expect(parseTimeout('Infinite, Second-4100000000')).toBe(24 * 3600);
    expect(parseTimeout(undefined)).toBe(3600);
    expect(parseTimeout('bogus')).toBe(3600);
  });
});
