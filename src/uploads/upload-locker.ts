import type { Lock, Locker, RequestRelease } from '@tus/utils';
import { ERRORS } from '@tus/utils';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { SharedLocks } from '../common/locks/shared-locks';
import { LOCK_POLL_MS, LOCK_RENEW_MS, LOCK_TTL_MS, LOCK_WAIT_MS } from './uploads.constants';

/**
 * tus's Locker over locks every instance sees: two requests on one upload never run at once,
 * wherever they arrive. A waiting request asks the holder to finish (a client resuming after a
 * cut connection ends the PATCH still hanging on its dead socket), as tus's own lockers do.
 */
export class SharedUploadLocker implements Locker {
  constructor(private readonly locks: SharedLocks) {}

  newLock(id: string): Lock {
    return new SharedUploadLock(this.locks, `upload:${id}`);
  }
}

class SharedUploadLock implements Lock {
  private readonly token = randomBytes(16).toString('hex');
  private renewal: NodeJS.Timeout | undefined;

  constructor(
    private readonly locks: SharedLocks,
    private readonly name: string,
  ) {}

  async lock(signal: AbortSignal, cancelReq: RequestRelease): Promise<void> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    let asked = false;
    while (!(await this.locks.tryAcquire(this.name, this.token, LOCK_TTL_MS))) {
      if (!asked) {
        await this.locks.requestRelease(this.name, LOCK_TTL_MS);
        asked = true;
      }
      // @tus/server's own error object (no Error instance); tus-server.ts answers it 423.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (signal.aborted || Date.now() > deadline) throw ERRORS.ERR_LOCK_TIMEOUT;
      await delay(LOCK_POLL_MS, undefined, { signal }).catch(() => undefined);
    }
    this.renewal = setInterval(() => {
      this.locks
        .renew(this.name, this.token, LOCK_TTL_MS)
        .then(({ held, releaseWanted }) => {
          if (!held || releaseWanted) void cancelReq();
        })
        .catch(() => undefined);
    }, LOCK_RENEW_MS);
    this.renewal.unref();
  }

  /** Not awaited on failure: a lock whose release is lost frees itself after LOCK_TTL_MS, and the answer must not wait on a store that hangs. */
  unlock(): Promise<void> {
    clearInterval(this.renewal);
    this.locks.release(this.name, this.token).catch(() => undefined);
    return Promise.resolve();
  }
}
