import { getRepositoryToken } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import Redis from 'ioredis';
import { LessThan, Repository } from 'typeorm';
import { isUniqueViolation } from '../../database/database-errors';
import { REDIS } from '../../redis/redis.module';
import { NamedLock } from './named-lock.entity';

export interface Renewal {
  /** False when the lock expired and someone else took it: the holder must stop. */
  held: boolean;
  /** Someone waits for the lock and asked the holder to finish. */
  releaseWanted: boolean;
}

/** Locks held for a while by one request, seen by every instance: in Redis when configured, in the database otherwise. */
export abstract class SharedLocks {
  /** Takes the lock when it is free (or its holder stopped renewing); true when taken. */
  abstract tryAcquire(name: string, token: string, ttlMs: number): Promise<boolean>;
  abstract renew(name: string, token: string, ttlMs: number): Promise<Renewal>;
  abstract release(name: string, token: string): Promise<void>;
  /** Asks the holder, wherever it runs, to finish and release the lock. */
  abstract requestRelease(name: string, ttlMs: number): Promise<void>;
}

/** A new holder starts without the requests its predecessor was asked. */
const ACQUIRE_SCRIPT = `
if not redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 0 end
redis.call('del', KEYS[2])
return 1`;
/** Only a held lock can be asked for: a request left without a holder would stop the next one. */
const REQUEST_SCRIPT = `
if redis.call('exists', KEYS[1]) == 1 then redis.call('set', KEYS[2], '1', 'PX', ARGV[1]) end
return 0`;
const RENEW_SCRIPT = `
if redis.call('get', KEYS[1]) ~= ARGV[1] then return -1 end
redis.call('pexpire', KEYS[1], ARGV[2])
return redis.call('exists', KEYS[2])`;
const RELEASE_SCRIPT = `
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1], KEYS[2]) end
return 0`;

/** SET NX PX: atomic, and a holder that dies lets the key expire. */
export class RedisSharedLocks extends SharedLocks {
  constructor(private readonly redis: Redis) {
    super();
  }

  async tryAcquire(name: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(ACQUIRE_SCRIPT, 2, `lock:${name}`, `lock-wanted:${name}`, token, ttlMs)) === 1;
  }

  async renew(name: string, token: string, ttlMs: number): Promise<Renewal> {
    const answer = (await this.redis.eval(RENEW_SCRIPT, 2, `lock:${name}`, `lock-wanted:${name}`, token, ttlMs)) as number;
    return { held: answer !== -1, releaseWanted: answer === 1 };
  }

  async release(name: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 2, `lock:${name}`, `lock-wanted:${name}`, token);
  }

  async requestRelease(name: string, ttlMs: number): Promise<void> {
    await this.redis.eval(REQUEST_SCRIPT, 2, `lock:${name}`, `lock-wanted:${name}`, ttlMs);
  }
}

/** A row per held lock; its primary key makes taking it atomic, and an expired row may be taken over. */
export class DatabaseSharedLocks extends SharedLocks {
  constructor(private readonly locks: Repository<NamedLock>) {
    super();
  }

  async tryAcquire(name: string, token: string, ttlMs: number): Promise<boolean> {
    if (await this.insert(name, token, ttlMs)) return true;
    // Held, or left by a holder that died: an expired row is taken over.
    const removed = await this.locks.delete({ name, expiresAt: LessThan(new Date()) });
    return Boolean(removed.affected) && this.insert(name, token, ttlMs);
  }

  private async insert(name: string, token: string, ttlMs: number): Promise<boolean> {
    try {
      await this.locks.insert({ name, token, expiresAt: new Date(Date.now() + ttlMs), releaseWanted: false });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async renew(name: string, token: string, ttlMs: number): Promise<Renewal> {
    const renewed = await this.locks.update({ name, token }, { expiresAt: new Date(Date.now() + ttlMs) });
    if (!renewed.affected) return { held: false, releaseWanted: false };
    const row = await this.locks.findOne({ where: { name, token }, select: { releaseWanted: true } });
    return { held: row !== null, releaseWanted: row?.releaseWanted ?? false };
  }

  async release(name: string, token: string): Promise<void> {
    await this.locks.delete({ name, token });
  }

  async requestRelease(name: string): Promise<void> {
    await this.locks.update({ name }, { releaseWanted: true });
  }
}

/**
 * SQLite is one instance's database (a file in its DATA_DIR; without Redis the rate limits are
 * in the process too): its locks need not leave the process, and taking one costs no disk sync.
 * In SQLite's own table a lock costs two synced commits per tus PATCH (README "Resumable uploads
 * against PUT").
 */
export class ProcessLocks extends SharedLocks {
  private readonly held = new Map<string, { token: string; expiresAt: number; releaseWanted: boolean }>();

  tryAcquire(name: string, token: string, ttlMs: number): Promise<boolean> {
    const current = this.held.get(name);
    if (current && current.expiresAt > Date.now()) return Promise.resolve(false);
    this.held.set(name, { token, expiresAt: Date.now() + ttlMs, releaseWanted: false });
    return Promise.resolve(true);
  }

  renew(name: string, token: string, ttlMs: number): Promise<Renewal> {
    const current = this.held.get(name);
    if (current?.token !== token) return Promise.resolve({ held: false, releaseWanted: false });
    current.expiresAt = Date.now() + ttlMs;
    return Promise.resolve({ held: true, releaseWanted: current.releaseWanted });
  }

  release(name: string, token: string): Promise<void> {
    if (this.held.get(name)?.token === token) this.held.delete(name);
    return Promise.resolve();
  }

  requestRelease(name: string): Promise<void> {
    const current = this.held.get(name);
    if (current) current.releaseWanted = true;
    return Promise.resolve();
  }
}

/** Nest provider: Redis when REDIS_URL is set, else the database server's table, or the process for SQLite. */
export const sharedLocksProvider = {
  provide: SharedLocks,
  inject: [APP_CONFIG, getRepositoryToken(NamedLock), { token: REDIS, optional: true }],
  useFactory: (config: AppConfig, locks: Repository<NamedLock>, redis: Redis | null | undefined): SharedLocks => {
    if (redis) return new RedisSharedLocks(redis);
    return config.db.type === 'sqlite' ? new ProcessLocks() : new DatabaseSharedLocks(locks);
  },
};
