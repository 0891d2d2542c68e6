import { BadRequestException, ConflictException, ForbiddenException, NotFoundException } from '@nestjs/common';
import { SessionStore } from '../auth/sessions/session-store';
import { ValidationFailedException } from '../common/http/validation';
import { CreateUserDto } from './dto/create-user.dto';
import { PasswordHasher } from './passwords/password-hasher';
import { UserDeletionHooks } from './user-deletion-hooks';
import { User } from './user.entity';
import { FakeUsersRepository, sessionStoreMock, unlimitedPasswordAttempts } from '../../test/support/fake-users.repository';
import { UsersService } from './users.service';

const CLIENT = { userAgent: 'jest', ip: '127.0.0.1', cookies: {} };

describe('UsersService', () => {
  let repo: FakeUsersRepository;
  let sessions: jest.Mocked<SessionStore>;
  let hooks: UserDeletionHooks;
  let hasher: PasswordHasher;
  let service: UsersService;

  beforeEach(() => {
    repo = new FakeUsersRepository();
    sessions = sessionStoreMock();
    hooks = new UserDeletionHooks();
    hasher = new PasswordHasher();
    service = new UsersService(repo.asRepository(), hasher, sessions, hooks, unlimitedPasswordAttempts(), { admin: undefined });
  });

  const adminDto = (username: string, extra: Partial<CreateUserDto> = {}): CreateUserDto =>
    Object.assign(new CreateUserDto(), { username, autoGeneratePassword: false, password: 'password1', email: 'x@example.com', ...extra });

  describe('signUp', () => {
    it('stores an argon2id hash, never the password, and keeps the other members as data', async () => {
      const user = await service.signUp({ username: 'alice', password: 'password1', fname: 'Alice', city: 'Oslo' });
      expect(user.passwordHash).toMatch(/^\$argon2id\$/);
      expect(JSON.stringify(user)).not.toContain('password1');
      expect(user.data).toEqual({ fname: 'Alice', city: 'Oslo' });
      expect(user.fname).toBe('Alice');
      expect(user.role).toBe('user');
      expect(await hasher.verify(user.passwordHash, 'password1')).toBe(true);
    });

    it('refuses a taken name with 409', async () => {
      await service.signUp({ username: 'alice', password: 'password1' });
      await expect(service.signUp({ username: 'alice', password: 'password2' })).rejects.toBeInstanceOf(ConflictException);
    });

    it.each(['admin', 'Admin', 'ROOT', 'health'])('refuses the reserved name %s with 400', async (username) => {
      await expect(service.signUp({ username, password: 'password1' })).rejects.toBeInstanceOf(BadRequestException);
      expect(repo.rows.size).toBe(0);
    });

    it('refuses data over 64 KiB with 400', async () => {
      await expect(service.signUp({ username: 'alice', password: 'password1', pad: 'x'.repeat(64 * 1024) })).rejects.toBeInstanceOf(BadRequestException);
    });
  });

  describe('createByAdmin', () => {
    it('creates the user and answers the S2 message', async () => {
      await expect(service.createByAdmin('bob', adminDto('bob'))).resolves.toEqual({ message: 'User bob was created successfully' });
      expect((await repo.findByUsername('bob'))?.email).toBe('x@example.com');
    });

    it('generates a password of 20+ characters that verifies against the stored hash', async () => {
      const result = await service.createByAdmin('bob', adminDto('bob', { autoGeneratePassword: true, password: undefined }));
      expect(result.password?.length).toBeGreaterThanOrEqual(20);
      const user = await repo.findByUsername('bob');
      expect(await hasher.verify(user?.passwordHash ?? '', result.password ?? '')).toBe(true);
    });

    it('answers a path/body mismatch with the S2 validation error', async () => {
      await expect(service.createByAdmin('bob', adminDto('carol'))).rejects.toBeInstanceOf(ValidationFailedException);
    });

    it('requires a password of 8+ characters unless it is generated', async () => {
      await expect(service.createByAdmin('bob', adminDto('bob', { password: undefined }))).rejects.toBeInstanceOf(ValidationFailedException);
      await expect(service.createByAdmin('bob', adminDto('bob', { password: 'short' }))).rejects.toBeInstanceOf(ValidationFailedException);
      expect(repo.rows.size).toBe(0);
    });

    it.each(['admin', 'Root', 'ab', 'bad-name'])('answers 409 "Username %s is not allowed"', async (username) => {
      await expect(service.createByAdmin(username, adminDto(username))).rejects.toMatchObject({
        response: { error: `Username ${username} is not allowed` },
      });
    });

    it('answers 409 "User <u> already exists"', async () => {
      await service.createByAdmin('bob', adminDto('bob'));
      await expect(service.createByAdmin('bob', adminDto('bob'))).rejects.toMatchObject({ response: { error: 'User bob already exists' } });
    });
  });

  describe('ensureAdmin', () => {
    it('creates the start-up admin, even with a reserved name, and never overwrites it', async () => {
      await service.ensureAdmin('admin', 'first-password');
      const admin = await repo.findByUsername('admin');
      expect(admin?.role).toBe('admin');
      await service.ensureAdmin('admin', 'second-password');
      expect(await hasher.verify(admin?.passwordHash ?? '', 'first-password')).toBe(true);
      expect(repo.rows.size).toBe(1);
    });
  });

  describe('get and update', () => {
    it('answers 404 "User with username <u> does not exist"', async () => {
      await expect(service.get('ghost')).rejects.toMatchObject({ response: { error: 'User with username ghost does not exist' } });
    });

    it('replaces data and the profile fields given', async () => {
      await service.signUp({ username: 'alice', password: 'password1', old: 1, lname: 'L' });
      const user = await service.update('alice', { fresh: 2, email: 'a@example.com' });
      expect(user.data).toEqual({ fresh: 2, email: 'a@example.com' });
      expect(user).toMatchObject({ email: 'a@example.com', lname: 'L' });
    });

    it('refuses to change the password or the username', async () => {
      await service.signUp({ username: 'alice', password: 'password1' });
      await expect(service.update('alice', { password: 'x' })).rejects.toBeInstanceOf(BadRequestException);
      await expect(service.update('alice', { username: 'bob' })).rejects.toBeInstanceOf(BadRequestException);
    });
  });

  describe('changePassword', () => {
    it('stores the new hash, clears changePasswordOnFirstLogin and ends the other sessions only', async () => {
      await service.createByAdmin('bob', adminDto('bob', { changePasswordOnFirstLogin: true }));
      const bob = (await repo.findByUsername('bob')) as User;
      await service.changePassword(bob, 'current-session', { currentPassword: 'password1', newPassword: 'new-password' }, CLIENT);
      expect(await hasher.verify(bob.passwordHash, 'new-password')).toBe(true);
      expect(bob.changePasswordOnFirstLogin).toBe(false);
      expect(sessions.deleteAllOfUser).toHaveBeenCalledWith(bob.id, 'current-session');
    });

    it('answers 403 to a wrong current password and changes nothing', async () => {
      const bob = await service.signUp({ username: 'bob', password: 'password1' });
      const hash = bob.passwordHash;
      await expect(service.changePassword(bob, 's', { currentPassword: 'wrong-one', newPassword: 'new-password' }, CLIENT)).rejects.toBeInstanceOf(ForbiddenException);
      expect(bob.passwordHash).toBe(hash);
      expect(sessions.deleteAllOfUser).not.toHaveBeenCalled();
    });
  });

  describe('delete', () => {
    it('ends the sessions, runs the deletion hooks, then removes the user', async () => {
      const order: string[] = [];
      sessions.deleteAllOfUser.mockImplementation(async () => {
        order.push('sessions');
        return 1;
      });
      hooks.register(async (user) => {
        order.push(`hook:${user.username}`);
      });
      await service.signUp({ username: 'alice', password: 'password1' });
      await service.deleteOrFail('alice');
      expect(order).toEqual(['sessions', 'hook:alice']);
      expect(await repo.findByUsername('alice')).toBeNull();
    });

    it('keeps the user when a deletion hook fails, so that nothing is left orphaned', async () => {
      hooks.register(async () => {
        throw new Error('blob store down');
      });
      await service.signUp({ username: 'alice', password: 'password1' });
      await expect(service.deleteOrFail('alice')).rejects.toThrow('blob store down');
      expect(await repo.findByUsername('alice')).not.toBeNull();
    });

    it('answers 404 {message: "User <u> does not exist"}', async () => {
      await expect(service.deleteOrFail('ghost')).rejects.toBeInstanceOf(NotFoundException);
      await expect(service.deleteOrFail('ghost')).rejects.toMatchObject({ response: { message: 'User ghost does not exist' } });
    });

    it('deletes many, telling deleted names from unknown ones, each name once', async () => {
      await service.signUp({ username: 'alice', password: 'password1' });
      await service.signUp({ username: 'bobby', password: 'password1' });
      await expect(service.deleteMany({ usersToDelete: ['alice', 'ghost', 'bobby', 'alice'] })).resolves.toEqual({
        message: 'Successfully deleted 2',
        deletedUsers: ['alice', 'bobby'],
        doNotExist: ['ghost'],
      });
    });
  });
});
