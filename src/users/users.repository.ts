import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsSelect, In, Raw, Repository } from 'typeorm';
import { isUniqueViolation } from '../database/database-errors';
import { PreparedQuery } from '../database/prepared-query';
import { CredentialUser, SESSION_USER_PROPERTIES, SessionUser, User, UserProfile } from './user.entity';

export type NewUser = Omit<User, 'id' | 'createdAt' | 'updatedAt'>;

/** Every column a listing shows: never the password hash. */
const PROFILE: FindOptionsSelect<User> = {
  id: true,
  username: true,
  role: true,
  fname: true,
  lname: true,
  email: true,
  blockLogin: true,
  blockLoginReason: true,
  changePasswordOnFirstLogin: true,
  storageQuota: true,
  data: true,
  createdAt: true,
  updatedAt: true,
};

@Injectable()
export class UsersRepository {
  /** Read on every authenticated request. */
  private readonly sessionUserById: PreparedQuery<{ id: number }, SessionUser>;
  /** Read on every request that a remembered HTTP Basic password authenticates. */
  private readonly credentialUserById: PreparedQuery<{ id: number }, CredentialUser>;

  constructor(@InjectRepository(User) private readonly users: Repository<User>) {
    this.sessionUserById = PreparedQuery.select(users, 'u', SESSION_USER_PROPERTIES, (qb, p) => qb.where('u.id = :id', { id: p.id }));
    this.credentialUserById = PreparedQuery.select(users, 'u', [...SESSION_USER_PROPERTIES, 'passwordHash'], (qb, p) => qb.where('u.id = :id', { id: p.id }));
  }

  async findCredentialUser(id: number): Promise<CredentialUser | null> {
    const [user] = await this.credentialUserById.run({ id });
    return user ?? null;
  }

  findById(id: number): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  async findSessionUser(id: number): Promise<SessionUser | null> {
    const [user] = await this.sessionUserById.run({ id });
    return user ?? null;
  }

  findByUsername(username: string): Promise<User | null> {
    return this.users.findOneBy({ username });
  }

  /** id → username of the users that exist, in one query that reads nothing else. */
  async usernamesByIds(ids: readonly number[]): Promise<Map<number, string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await this.users.find({ select: { id: true, username: true }, where: { id: In(unique) } });
    return new Map(rows.map((row) => [row.id, row.username]));
  }

  /** Inserts the user; returns null when the name is taken (the unique index decides, not a race). */
  async insert(user: NewUser): Promise<User | null> {
    const now = new Date();
    const entity = this.users.create({ ...user, createdAt: now, updatedAt: now });
    try {
      return await this.users.save(entity);
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async update(user: User, changes: Partial<NewUser>): Promise<User> {
    Object.assign(user, changes, { updatedAt: new Date() });
    return this.users.save(user);
  }

  /** Admins who can still sign in: the ones that keep the server administrable. */
  countActiveAdmins(): Promise<number> {
    return this.users.countBy({ role: 'admin', blockLogin: false });
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.users.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  /**
   * A page of users by id, optionally those whose name contains `q`, ignoring case. LOWER on
   * both sides and an explicit escape character, because SQLite's LIKE ignores ASCII case and
   * has no default escape, while MySQL's binary collation does neither.
   */
  page(offset: number, limit: number, q?: string): Promise<[UserProfile[], number]> {
    const pattern = q ? `%${q.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%` : undefined;
    const where = pattern ? { username: Raw((column) => `LOWER(${column}) LIKE :pattern ESCAPE '!'`, { pattern }) } : {};
    return this.users.findAndCount({ select: PROFILE, where, order: { id: 'ASC' }, skip: offset, take: limit });
  }
}
