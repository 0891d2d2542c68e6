import { BadRequestException, NotFoundException } from '@nestjs/common';
import { FakeUsersRepository, sessionStoreMock, unlimitedPasswordAttempts } from '../../test/support/fake-users.repository';
import { SessionStore } from '../auth/sessions/session-store';
import { PasswordHasher } from '../users/passwords/password-hasher';
import { UserDeletionHooks } from '../users/user-deletion-hooks';
import { User } from '../users/user.entity';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { AdminService } from './admin.service';
import { ListUsersQuery } from './dto/admin.dto';
import { StorageUsageReader, UserStorageUsage } from './storage-usage';

/** The repository with the paging query the admin listing needs. */
class PagingUsersRepository extends FakeUsersRepository {
  async page(offset: number, limit: number, q?: string): Promise<[User[], number]> {
    const all = [...this.rows.values()].filter((u) => !q || u.username.includes(q)).sort((a, b) => a.id - b.id);
    return [all.slice(offset, offset + limit), all.length];
  }
}

class FixedUsage extends StorageUsageReader {
  constructor(private readonly usage: Map<number, UserStorageUsage>) {
    super();
  }

  async usageOf(): Promise<Map<number, UserStorageUsage>> {
    return this.usage;
  }
}

describe('AdminService', () => {
  let repo: PagingUsersRepository;
  let sessions: jest.Mocked<SessionStore>;
  let users: UsersService;
  let usage: Map<number, UserStorageUsage>;
  let admin: AdminService;
  let boss: User;

  beforeEach(async () => {
    repo = new PagingUsersRepository();
    sessions = sessionStoreMock();
    usage = new Map();
    // A cheap hasher: these tests are about the admin rules, not about hashing.
    const hasher = { hash: async (p: string) => `hashed:${p}`, verify: async () => true, generate: () => 'x'.repeat(24) } as unknown as PasswordHasher;
    users = new UsersService(repo as unknown as UsersRepository, hasher, sessions, new UserDeletionHooks(), unlimitedPasswordAttempts(), { admin: undefined });
    admin = new AdminService(users, sessions, new FixedUsage(usage));
    await users.ensureAdmin('boss', 'boss-password');
    boss = (await repo.findByUsername('boss')) as User;
  });

  const member = (username: string) => users.signUp({ username, password: 'password1' });
  const query = (q: Partial<ListUsersQuery> = {}): ListUsersQuery => Object.assign(new ListUsersQuery(), q);

  describe('list', () => {
    it('adds each user’s storage usage to the view, zero when they store nothing', async () => {
      const alice = await member('alice');
      usage.set(alice.id, { fileCount: 3, bytesStored: 4096 });
      const page = await admin.list(query());
      expect(page.total).toBe(2);
      expect(page.items.find((u) => u.username === 'alice')).toMatchObject({ fileCount: 3, bytesStored: 4096 });
      expect(page.items.find((u) => u.username === 'boss')).toMatchObject({ fileCount: 0, bytesStored: 0 });
      expect(JSON.stringify(page)).not.toContain('hashed:');
    });

    it('pages and filters', async () => {
      for (const name of ['anna', 'anton', 'bert']) await member(name);
      const page = await admin.list(query({ q: 'an', offset: 1, limit: 1 }));
      expect(page.total).toBe(2);
      expect(page.items.map((u) => u.username)).toEqual(['anton']);
    });
  });

  describe('update', () => {
    it('blocks a user and ends their sessions', async () => {
      const alice = await member('alice');
      const view = await admin.update(boss, 'alice', { blockLogin: true, blockLoginReason: 'spam' });
      expect(view).toMatchObject({ blockLogin: true, blockLoginReason: 'spam' });
      expect(sessions.deleteAllOfUser).toHaveBeenCalledWith(alice.id);
    });

    it('leaves sessions alone for changes other than a block', async () => {
      await member('alice');
      const view = await admin.update(boss, 'alice', { role: 'admin', storageQuota: 1000, changePasswordOnFirstLogin: true });
      expect(view).toMatchObject({ role: 'admin', storageQuota: 1000, changePasswordOnFirstLogin: true, blockLogin: false });
      expect(sessions.deleteAllOfUser).not.toHaveBeenCalled();
    });

    it('clears a quota with null and leaves unmentioned fields as they were', async () => {
      await member('alice');
      await admin.update(boss, 'alice', { storageQuota: 1000, blockLoginReason: 'note' });
      const view = await admin.update(boss, 'alice', { storageQuota: null });
      expect(view).toMatchObject({ storageQuota: null, blockLoginReason: 'note' });
    });

    it('refuses to let an admin block or demote themselves', async () => {
      await expect(admin.update(boss, 'boss', { blockLogin: true })).rejects.toBeInstanceOf(BadRequestException);
      await expect(admin.update(boss, 'boss', { role: 'user' })).rejects.toBeInstanceOf(BadRequestException);
      expect(boss).toMatchObject({ role: 'admin', blockLogin: false });
    });

    it('answers 404 for an unknown user', async () => {
      await expect(admin.update(boss, 'ghost', { blockLogin: true })).rejects.toMatchObject({ response: { error: 'User with username ghost does not exist' } });
    });
  });

  describe('endSessions', () => {
    it('ends every session of the user', async () => {
      const alice = await member('alice');
      await admin.endSessions('alice');
      expect(sessions.deleteAllOfUser).toHaveBeenCalledWith(alice.id);
    });

    it('answers 404 for an unknown user', async () => {
      await expect(admin.endSessions('ghost')).rejects.toBeInstanceOf(NotFoundException);
      expect(sessions.deleteAllOfUser).not.toHaveBeenCalled();
    });
  });
});
