import { MetricsService } from '../../observability/metrics.service';
import { SessionRecord, SessionStore } from './session-store';

/**
 * Counts sessions opened and ended (logout, revocation, password change, block, user deletion)
 * at the one place every one of them passes, whichever store is behind it.
 */
export class MeteredSessionStore extends SessionStore {
  constructor(
    private readonly inner: SessionStore,
    private readonly metrics: MetricsService,
  ) {
    super();
  }

  async create(session: SessionRecord): Promise<void> {
    await this.inner.create(session);
    this.metrics.sessionOpened();
  }

  find(id: string): Promise<SessionRecord | null> {
    return this.inner.find(id);
  }

  touch(id: string, at: Date): Promise<void> {
    return this.inner.touch(id, at);
  }

  listByUser(userId: number): Promise<SessionRecord[]> {
    return this.inner.listByUser(userId);
  }

  async delete(id: string): Promise<boolean> {
    const ended = await this.inner.delete(id);
    if (ended) this.metrics.sessionsEnded(1);
    return ended;
  }

  async deleteAllOfUser(userId: number, exceptId?: string): Promise<number> {
    const ended = await this.inner.deleteAllOfUser(userId, exceptId);
    this.metrics.sessionsEnded(ended);
    return ended;
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }
}
