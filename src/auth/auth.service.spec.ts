import { BadRequestException, ForbiddenException, NotFoundException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { FakeUsersRepository, sessionStoreMock, unlimitedPasswordAttempts } from '../../test/support/fake-users.repository';
import { AppConfig } from '../config/app-config';
import { PasswordHasher } from '../users/passwords/password-hasher';
import { UserDeletionHooks } from '../users/user-deletion-hooks';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { ClientInfo } from '../common/http/client-info';
import { AuthService } from './auth.service';
import { TokenPayload } from './guards/session-verifier';
import { SessionRecord, SessionStore } from './sessions/session-store';

const SECRET = 'unit-test-secret-of-some-length';
const TTL_MS = 3_600_000;
const CLIENT: ClientInfo = { userAgent: 'jest', ip: '127.0.0.1', cookies: {} };

describe('AuthService', () => {
  let repo: FakeUsersRepository;
  let sessions: jest.Mocked<SessionStore>;
  let users: UsersService;
  let jwt: JwtService;
  let auth: AuthService;

  beforeEach(() => {
    repo = new FakeUsersRepository();
    sessions = sessionStoreMock();
    const hasher = new PasswordHasher();
    users = new UsersService(repo.asRepository(), hasher, sessions, new UserDeletionHooks(), unlimitedPasswordAttempts(), { admin: undefined });
    jwt = new JwtService({ secret: SECRET, signOptions: { algorithm: 'HS256' } });
    auth = new AuthService({ sessionTtlMs: TTL_MS, jwtSecret: SECRET } as AppConfig, users, sessions, jwt, unlimitedPasswordAttempts());
  });

  async function member(username: string, extra: Partial<User> = {}): Promise<User> {
    const user = await users.signUp({ username, password: 'password1' });
    return Object.assign(user, extra);
  }

  describe('register', () => {
    it('creates the account', async () => {
      await auth.register({ username: 'alice', password: 'password1' });
      expect(await repo.findByUsername('alice')).not.toBeNull();
    });

    it('answers a taken name with 400', async () => {
      await member('alice');
      await expect(auth.register({ username: 'alice', password: 'password1' })).rejects.toBeInstanceOf(BadRequestException);
    });
  });

  describe('login', () => {
    it('opens a session in the store and signs a token that carries only its id and the user id', async () => {
      const alice = await member('alice');
      const before = Date.now();
      const issued = await auth.login({ username: 'alice', password: 'password1' }, CLIENT);
      expect(sessions.create).toHaveBeenCalledTimes(1);
      const record = sessions.create.mock.calls[0][0];
      expect(record).toMatchObject({ userId: alice.id, userAgent: 'jest', ip: '127.0.0.1' });
      expect(record.id.length).toBeGreaterThanOrEqual(32);
      expect(record.expiresAt.getTime() - before).toBeGreaterThanOrEqual(TTL_MS);
      expect(issued.expiresAt).toEqual(record.expiresAt);
      const payload = jwt.verify<TokenPayload & { exp: number }>(issued.token);
      expect(payload).toMatchObject({ sid: record.id, sub: alice.id });
      expect(payload.exp * 1000).toBeLessThanOrEqual(record.expiresAt.getTime() + 1000);
      expect(issued.token).not.toContain('password1');
    });

    it('gives one 403 message for an unknown user and a wrong password, and opens nothing', async () => {
      await member('alice');
      const [unknown, wrong] = await Promise.allSettled([
        auth.login({ username: 'ghost', password: 'password1' }, CLIENT),
        auth.login({ username: 'alice', password: 'wrong-password' }, CLIENT),
      ]);
      const reasons = [unknown, wrong].map((r) => (r as PromiseRejectedResult).reason as ForbiddenException);
      expect(reasons.every((reason) => reason instanceof ForbiddenException)).toBe(true);
      expect(reasons[0].getResponse()).toEqual(reasons[1].getResponse());
      expect(sessions.create).not.toHaveBeenCalled();
    });

    it('refuses a blocked user with the reason, once the password is right', async () => {
      const alice = await member('alice', { blockLogin: true, blockLoginReason: 'fraud' });
      await expect(auth.login({ username: 'alice', password: 'password1' }, CLIENT)).rejects.toMatchObject({ response: { error: expect.stringContaining('fraud') } });
      // A wrong password does not reveal the block.
      await expect(auth.login({ username: alice.username, password: 'wrong-password' }, CLIENT)).rejects.toMatchObject({
        response: { error: expect.not.stringContaining('fraud') },
      });
      expect(sessions.create).not.toHaveBeenCalled();
    });

    it('trims long user agents to what the store keeps', async () => {
      await member('alice');
      await auth.login({ username: 'alice', password: 'password1' }, { userAgent: 'x'.repeat(2000), ip: null, cookies: {} });
      expect(sessions.create.mock.calls[0][0].userAgent).toHaveLength(512);
    });
  });

  describe('authenticate (S2)', () => {
    it('answers 404 "User does not exist" and 403 "Incorrect password"', async () => {
      await member('alice');
      await expect(auth.authenticate({ username: 'ghost', password: 'password1' }, CLIENT)).rejects.toBeInstanceOf(NotFoundException);
      await expect(auth.authenticate({ username: 'ghost', password: 'password1' }, CLIENT)).rejects.toMatchObject({ response: { error: 'User does not exist' } });
      await expect(auth.authenticate({ username: 'alice', password: 'nope-nope' }, CLIENT)).rejects.toMatchObject({ response: { error: 'Incorrect password' } });
    });

    it('issues a session for the right password', async () => {
      await member('alice');
      const issued = await auth.authenticate({ username: 'alice', password: 'password1' }, CLIENT);
      expect(issued.user.username).toBe('alice');
      expect(sessions.create).toHaveBeenCalledTimes(1);
    });
  });

  describe('sessions', () => {
    const session = (id: string, userId: number): SessionRecord => ({
      id,
      userId,
      createdAt: new Date(0),
      expiresAt: new Date(Date.now() + TTL_MS),
      lastSeenAt: new Date(0),
      userAgent: null,
      ip: null,
    });

    it('logout deletes the current session', async () => {
      await auth.logout(session('s1', 1));
      expect(sessions.delete).toHaveBeenCalledWith('s1');
    });

    it('lists the caller’s sessions, marking the current one', async () => {
      const alice = await member('alice');
      sessions.listByUser.mockResolvedValue([session('a', alice.id), session('b', alice.id)]);
      const views = await auth.listSessions(alice, session('b', alice.id));
      expect(sessions.listByUser).toHaveBeenCalledWith(alice.id);
      expect(views.map((v) => [v.id, v.current])).toEqual([
        ['a', false],
        ['b', true],
      ]);
      expect(views[0].createdAt).toBe(new Date(0).toISOString());
    });

    it('ends one of the caller’s sessions, and answers 404 for another user’s without touching it', async () => {
      const alice = await member('alice');
      sessions.find.mockImplementation(async (id) => (id === 'mine' ? session('mine', alice.id) : id === 'theirs' ? session('theirs', alice.id + 1) : null));
      await auth.endSession(alice, 'mine');
      expect(sessions.delete).toHaveBeenCalledWith('mine');
      sessions.delete.mockClear();
      await expect(auth.endSession(alice, 'theirs')).rejects.toBeInstanceOf(NotFoundException);
      await expect(auth.endSession(alice, 'unknown')).rejects.toBeInstanceOf(NotFoundException);
      expect(sessions.delete).not.toHaveBeenCalled();
    });

    it('ends every other session of the caller', async () => {
      const alice = await member('alice');
      await auth.endOtherSessions(alice, session('keep', alice.id));
      expect(sessions.deleteAllOfUser).toHaveBeenCalledWith(alice.id, 'keep');
    });
  });
});
