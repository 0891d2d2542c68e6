/** Test doubles for the Users module's boundaries (repository, session store); used by unit specs only. */
import { SessionStore } from '../../src/auth/sessions/session-store';
import { PasswordAttempts } from '../../src/rate-limit/password-attempts.service';
import { User } from '../../src/users/user.entity';
import { NewUser, UsersRepository } from '../../src/users/users.repository';

/** The repository boundary, in memory: unique names as the database's index would enforce. */
export class FakeUsersRepository {
  readonly rows = new Map<number, User>();
  private nextId = 1;

  async findById(id: number): Promise<User | null> {
    return this.rows.get(id) ?? null;
  }

  async findByUsername(username: string): Promise<User | null> {
    return [...this.rows.values()].find((u) => u.username === username) ?? null;
  }

  async insert(user: NewUser): Promise<User | null> {
    if (await this.findByUsername(user.username)) return null;
    const now = new Date();
    const row = Object.assign(new User(), user, { id: this.nextId++, createdAt: now, updatedAt: now });
    this.rows.set(row.id, row);
    return row;
  }

  async update(user: User, changes: Partial<NewUser>): Promise<User> {
    Object.assign(user, changes, { updatedAt: new Date() });
    return user;
  }

  async countActiveAdmins(): Promise<number> {
    return [...this.rows.values()].filter((u) => u.role === 'admin' && !u.blockLogin).length;
  }

  async delete(id: number): Promise<boolean> {
    return this.rows.delete(id);
  }

  /** Typed as the real repository for constructors that take one. */
  asRepository(): UsersRepository {
    return this as unknown as UsersRepository;
  }
}

/** A SessionStore whose every method is a jest mock. */
export function sessionStoreMock(): jest.Mocked<SessionStore> {
  return {
    create: jest.fn().mockResolvedValue(undefined),
    find: jest.fn().mockResolvedValue(null),
    touch: jest.fn().mockResolvedValue(undefined),
    listByUser: jest.fn().mockResolvedValue([]),
    delete: jest.fn().mockResolvedValue(true),
    deleteAllOfUser: jest.fn().mockResolvedValue(0),
    ping: jest.fn().mockResolvedValue(undefined),
  };
}

/** PasswordAttempts without limits: runs every check (the limits have their own e2e suite). */
export function unlimitedPasswordAttempts(): PasswordAttempts {
  return { verify: (_username: string, _client: unknown, check: () => Promise<boolean>) => check() } as unknown as PasswordAttempts;
}
