import { Injectable } from '@nestjs/common';

/**
 * Clean-up that must finish before the database and the blob store close: an upload cut by the
 * end of the shutdown grace still removes its blob and releases its quota (README "When things
 * fail"). GracefulShutdownService waits for it after the connections are gone.
 */
@Injectable()
export class InFlightWork {
  private readonly running = new Set<Promise<unknown>>();

  /** Runs `work`, counted until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const forget = (): void => void this.running.delete(work);
    work.then(forget, forget);
    return work;
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves once everything tracked has settled, or after `timeoutMs` (a dependency may be down). */
  async settled(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    try {
      while (this.running.size > 0) {
        const all = Promise.allSettled([...this.running]).then(() => undefined);
        if ((await Promise.race([all.then(() => 'done'), timeout.then(() => 'timeout')])) === 'timeout') return;
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
