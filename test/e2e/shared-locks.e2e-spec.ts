import { getRepositoryToken } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { Repository } from 'typeorm';
import { NamedLock } from '../../src/common/locks/named-lock.entity';
import { DatabaseSharedLocks, ProcessLocks, RedisSharedLocks, SharedLocks } from '../../src/common/locks/shared-locks';
import { services, startTestApp, TestApp } from '../support/test-app';

/**
 * The locks two PATCHes of one tus upload take (CONTRACT §7), with every backend this run has:
 * the process (SQLite), the run's database (named_locks), and Redis when REDIS_URL is set.
 */
describe('shared locks', () => {
  let t: TestApp;
  let redis: Redis | undefined;
  const backends: [string, () => SharedLocks][] = [];

  beforeAll(async () => {
    t = await startTestApp();
    const rows = t.app.get<Repository<NamedLock>>(getRepositoryToken(NamedLock));
    backends.push(['process', () => new ProcessLocks()], ['database', () => new DatabaseSharedLocks(rows)]);
    if (services.redis) {
      redis = new Redis(process.env.REDIS_URL ?? '', { keyPrefix: t.config.redisKeyPrefix });
      backends.push(['redis', () => new RedisSharedLocks(redis!)]);
    }
  });
  afterAll(async () => {
    await redis?.quit();
    await t.close();
  });

  const name = () => `upload:${randomBytes(8).toString('hex')}`;

  it('one holder at a time; only the holder renews or releases; then the next one gets it', async () => {
    for (const [backend, make] of backends) {
      const locks = make();
      const lock = name();
      expect([backend, await locks.tryAcquire(lock, 'a', 10_000)]).toEqual([backend, true]);
      expect([backend, await locks.tryAcquire(lock, 'b', 10_000)]).toEqual([backend, false]);
      expect(await locks.renew(lock, 'b', 10_000)).toEqual({ held: false, releaseWanted: false });
      await locks.release(lock, 'b');
      expect(await locks.tryAcquire(lock, 'b', 10_000)).toBe(false);
      expect(await locks.renew(lock, 'a', 10_000)).toEqual({ held: true, releaseWanted: false });
      await locks.release(lock, 'a');
      expect([backend, await locks.tryAcquire(lock, 'b', 10_000)]).toEqual([backend, true]);
      await locks.release(lock, 'b');
    }
  });

  it('a waiting request asks the holder to finish, and the holder hears it at its next renewal', async () => {
    for (const [backend, make] of backends) {
      const locks = make();
      const lock = name();
      await locks.tryAcquire(lock, 'holder', 10_000);
      await locks.requestRelease(lock, 10_000);
      expect([backend, await locks.renew(lock, 'holder', 10_000)]).toEqual([backend, { held: true, releaseWanted: true }]);
      await locks.release(lock, 'holder');
      // Asking for a lock nobody holds does nothing; a new holder starts without the old request.
      await locks.requestRelease(lock, 10_000);
      await locks.tryAcquire(lock, 'next', 10_000);
      expect([backend, await locks.renew(lock, 'next', 10_000)]).toEqual([backend, { held: true, releaseWanted: false }]);
      await locks.release(lock, 'next');
    }
  });

  it('a lock whose holder stopped renewing (it died) is taken over once it expired', async () => {
    for (const [backend, make] of backends) {
      if (backend === 'redis') {
        // Redis expires the key itself; what Cloudstash owes is the expiry on every lock it sets.
        const locks = make();
        const lock = name();
        await locks.tryAcquire(lock, 'holder', 10_000);
        const left = await redis!.pttl(`lock:${lock}`);
        expect(left).toBeGreaterThan(0);
        expect(left).toBeLessThanOrEqual(10_000);
        await locks.release(lock, 'holder');
        continue;
      }
      const locks = make();
      const lock = name();
      // Expired at once: as if its holder died long ago.
      expect(await locks.tryAcquire(lock, 'dead', -1)).toBe(true);
      expect([backend, await locks.tryAcquire(lock, 'alive', 10_000)]).toEqual([backend, true]);
      expect(await locks.renew(lock, 'dead', 10_000)).toEqual({ held: false, releaseWanted: false });
      await locks.release(lock, 'alive');
    }
  });
});
