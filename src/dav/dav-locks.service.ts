import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { formatTreePath, TreePath } from '../files/folders/tree-path';
import { BlobHolders } from '../files/blob-holders';
import { DAV_LOCK_DEFAULT_SECONDS, DAV_LOCK_MAX_SECONDS, DAV_LOCK_OWNER_MAX_BYTES, DAV_LOCKS_PER_USER, DAV_MESSAGES } from './dav.constants';
import { DavLocksRepository } from './dav-locks.repository';
import { DavLock, LockDepth, LockScope } from './entities/dav-lock.entity';

export const LOCK_TOKEN_PREFIX = 'urn:uuid:';

export function lockedError(): HttpException {
  return new HttpException({ error: DAV_MESSAGES.locked }, HttpStatus.LOCKED);
}

/** Does a lock rooted at `root` with `depth` cover `path`? */
function covers(lock: DavLock, path: string): boolean {
  if (lock.path === path) return true;
  return lock.depth === 'infinity' && (lock.path === '' || path.startsWith(`${lock.path}/`));
}

/** Is `path` at or below the lock's root? */
function isBelow(lock: DavLock, path: string): boolean {
  return path === '' || lock.path === path || lock.path.startsWith(`${path}/`);
}

/** `Timeout: Second-600, Infinite`: the first value this server accepts, capped. */
export function parseTimeout(header: string | undefined): number {
  for (const part of (header ?? '').split(',').map((p) => p.trim())) {
    if (/^infinite$/i.test(part)) return DAV_LOCK_MAX_SECONDS;
    const match = /^second-(\d+)$/i.exec(part);
    if (match) return Math.max(1, Math.min(DAV_LOCK_MAX_SECONDS, Number(match[1])));
  }
  return DAV_LOCK_DEFAULT_SECONDS;
}

/**
 * WebDAV write locks (RFC 4918 §6-7), by path in the owner's tree. Exclusive locks conflict with
 * every other lock that covers the same resource, shared ones only with exclusive ones. A write
 * must submit (in its If header) the token of every lock that covers what it changes.
 */
@Injectable()
export class DavLocksService {
  constructor(
    private readonly locks: DavLocksRepository,
    holders: BlobHolders,
  ) {
    // What a lock stores (its owner's XML) counts toward the account's bytes, like a property.
    holders.register({ bytesByOwner: (ids) => this.locks.bytesByOwner(ids), blobKeysIn: () => Promise.resolve(new Set()) });
  }

  listActive(ownerId: number): Promise<DavLock[]> {
    return this.locks.listActive(ownerId);
  }

  /** The locks that cover `path`: on it, or on an ancestor with Depth infinity. */
  covering(locks: DavLock[], path: TreePath): DavLock[] {
    const key = formatTreePath(path);
    return locks.filter((lock) => covers(lock, key));
  }

  /**
   * 423 unless every lock that covers what a write changes has its token submitted: the path
   * itself, and with `deep` everything below it (DELETE, MOVE of a collection).
   */
  assertWritable(locks: DavLock[], path: TreePath, deep: boolean, tokens: Set<string>): void {
    const key = formatTreePath(path);
    const relevant = locks.filter((lock) => covers(lock, key) || (deep && isBelow(lock, key)));
    const exclusive = relevant.filter((lock) => lock.scope === 'exclusive');
    if (exclusive.some((lock) => !tokens.has(LOCK_TOKEN_PREFIX + lock.token))) throw lockedError();
    const shared = relevant.filter((lock) => lock.scope === 'shared');
    if (shared.length > 0 && !shared.some((lock) => tokens.has(LOCK_TOKEN_PREFIX + lock.token))) throw lockedError();
  }

  /** A new lock, or 423 when it conflicts with one that exists. */
  async lock(ownerId: number, path: TreePath, options: { scope: LockScope; depth: LockDepth; ownerXml: string | null; timeoutSeconds: number }): Promise<DavLock> {
    if (options.ownerXml !== null && Buffer.byteLength(options.ownerXml) > DAV_LOCK_OWNER_MAX_BYTES) {
      throw new HttpException({ error: DAV_MESSAGES.ownerTooLong }, HttpStatus.PAYLOAD_TOO_LARGE);
    }
    const key = formatTreePath(path);
    const active = await this.locks.listActive(ownerId);
    if (active.length >= DAV_LOCKS_PER_USER) throw new HttpException({ error: DAV_MESSAGES.tooManyLocks }, HttpStatus.INSUFFICIENT_STORAGE);
    const conflicting = active.filter((lock) => covers(lock, key) || (options.depth === 'infinity' && isBelow(lock, key)));
    if (conflicting.some((lock) => lock.scope === 'exclusive' || options.scope === 'exclusive')) throw lockedError();
    const now = new Date();
    return this.locks.insert({
      token: randomUUID(),
      ownerId,
      path: key,
      depth: options.depth,
      scope: options.scope,
      ownerXml: options.ownerXml,
      timeoutSeconds: options.timeoutSeconds,
      expiresAt: new Date(now.getTime() + options.timeoutSeconds * 1000),
      createdAt: now,
    });
  }

  /** Extends the submitted lock that covers `path`; null when none does. */
  async refresh(ownerId: number, path: TreePath, tokens: Set<string>, timeoutSeconds: number): Promise<DavLock | null> {
    const lock = this.covering(await this.locks.listActive(ownerId), path).find((l) => tokens.has(LOCK_TOKEN_PREFIX + l.token));
    if (!lock) return null;
    lock.timeoutSeconds = timeoutSeconds;
    lock.expiresAt = new Date(Date.now() + timeoutSeconds * 1000);
    await this.locks.extend(lock.id, timeoutSeconds, lock.expiresAt);
    return lock;
  }

  /** Removes the lock with that token if it covers `path`. */
  async unlock(ownerId: number, path: TreePath, token: string): Promise<boolean> {
    const lock = this.covering(await this.locks.listActive(ownerId), path).find((l) => LOCK_TOKEN_PREFIX + l.token === token);
    if (!lock) return false;
    await this.locks.deleteByIds([lock.id]);
    return true;
  }

  /** A deleted or moved-away resource loses its locks, and so does all below it. */
  async removeAtOrBelow(ownerId: number, path: TreePath): Promise<void> {
    const key = formatTreePath(path);
    const active = await this.locks.listActive(ownerId);
    await this.locks.deleteByIds(active.filter((lock) => isBelow(lock, key)).map((lock) => lock.id));
  }
}
