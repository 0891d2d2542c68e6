import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS } from '../../redis/redis.module';
import { SessionRecord, SessionStore } from './session-store';

interface StoredSession {
  userId: number;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
  userAgent: string | null;
  ip: string | null;
}

/** Sessions as Redis keys whose TTL is the session's remaining life (S1 bonus). */
@Injectable()
export class RedisSessionStore extends SessionStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {
    super();
  }

  private key(id: string): string {
    return `session:${id}`;
  }

  private userKey(userId: number): string {
    return `user-sessions:${userId}`;
  }

  async create(session: SessionRecord): Promise<void> {
    const ttl = session.expiresAt.getTime() - Date.now();
    const stored: StoredSession = {
      userId: session.userId,
      createdAt: session.createdAt.getTime(),
      expiresAt: session.expiresAt.getTime(),
      lastSeenAt: session.lastSeenAt.getTime(),
      userAgent: session.userAgent,
      ip: session.ip,
    };
    // Every session lives as long as SESSION_TTL, so the newest one decides the index's expiry.
    await this.redis
      .multi()
      .set(this.key(session.id), JSON.stringify(stored), 'PX', Math.max(ttl, 1))
      .sadd(this.userKey(session.userId), session.id)
      .pexpire(this.userKey(session.userId), Math.max(ttl, 1))
      .exec();
  }

  async find(id: string): Promise<SessionRecord | null> {
    const raw = await this.redis.get(this.key(id));
    return raw ? this.toRecord(id, raw) : null;
  }

  async touch(id: string, at: Date): Promise<void> {
    const raw = await this.redis.get(this.key(id));
    if (!raw) return;
    const stored = JSON.parse(raw) as StoredSession;
    stored.lastSeenAt = at.getTime();
    // XX: never resurrect a session ended meanwhile; KEEPTTL: the expiry stays as it was.
    await this.redis.set(this.key(id), JSON.stringify(stored), 'KEEPTTL', 'XX');
  }

  async listByUser(userId: number): Promise<SessionRecord[]> {
    const ids = await this.redis.smembers(this.userKey(userId));
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.key(id)));
    const gone = ids.filter((_, i) => values[i] === null);
    if (gone.length > 0) await this.redis.srem(this.userKey(userId), ...gone);
    return ids
      .map((id, i) => (values[i] ? this.toRecord(id, values[i]) : null))
      .filter((s): s is SessionRecord => s !== null)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async delete(id: string): Promise<boolean> {
    const raw = await this.redis.get(this.key(id));
    if (!raw) return false;
    const { userId } = JSON.parse(raw) as StoredSession;
    const [[, removed]] = (await this.redis.multi().del(this.key(id)).srem(this.userKey(userId), id).exec()) ?? [[null, 0]];
    return removed === 1;
  }

  async deleteAllOfUser(userId: number, exceptId?: string): Promise<number> {
    const ids = (await this.redis.smembers(this.userKey(userId))).filter((id) => id !== exceptId);
    if (ids.length === 0) return 0;
    const [[, removed]] =
      (await this.redis
        .multi()
        .del(...ids.map((id) => this.key(id)))
        .srem(this.userKey(userId), ...ids)
        .exec()) ?? [[null, 0]];
    return Number(removed);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  private toRecord(id: string, raw: string): SessionRecord | null {
    const stored = JSON.parse(raw) as StoredSession;
    if (stored.expiresAt <= Date.now()) return null;
    return {
      id,
      userId: stored.userId,
      createdAt: new Date(stored.createdAt),
      expiresAt: new Date(stored.expiresAt),
      lastSeenAt: new Date(stored.lastSeenAt),
      userAgent: stored.userAgent,
      ip: stored.ip,
    };
  }
}
