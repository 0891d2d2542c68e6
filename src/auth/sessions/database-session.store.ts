import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThanOrEqual, MoreThan, Not, Repository } from 'typeorm';
import { PreparedQuery } from '../../database/prepared-query';
import { SessionRow } from './session.entity';
import { SessionRecord, SessionStore } from './session-store';

@Injectable()
export class DatabaseSessionStore extends SessionStore {
  /** Read on every authenticated request. */
  private readonly byId: PreparedQuery<{ id: string }, SessionRecord>;

  constructor(@InjectRepository(SessionRow) private readonly rows: Repository<SessionRow>) {
    super();
    this.byId = PreparedQuery.select(rows, 's', ['id', 'userId', 'createdAt', 'expiresAt', 'lastSeenAt', 'userAgent', 'ip'], (qb, p) => qb.where('s.id = :id', { id: p.id }));
  }

  async create(session: SessionRecord): Promise<void> {
    // Expired rows are swept on the way, so the table holds live sessions only.
    await this.rows.delete({ expiresAt: LessThanOrEqual(new Date()) });
    await this.rows.insert(session);
  }

  async find(id: string): Promise<SessionRecord | null> {
    const [row] = await this.byId.run({ id });
    if (!row) return null;
    return row.expiresAt.getTime() > Date.now() ? row : null;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.rows.update({ id }, { lastSeenAt: at });
  }

  listByUser(userId: number): Promise<SessionRecord[]> {
    return this.rows.find({ where: { userId, expiresAt: MoreThan(new Date()) }, order: { createdAt: 'ASC' } });
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.rows.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  async deleteAllOfUser(userId: number, exceptId?: string): Promise<number> {
    const result = await this.rows.delete(exceptId ? { userId, id: Not(exceptId) } : { userId });
    return result.affected ?? 0;
  }

  async ping(): Promise<void> {
    await this.rows.query('SELECT 1');
  }
}
