import { JwtService } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { sessionStoreMock } from '../../../test/support/fake-users.repository';
import { SessionUser, User } from '../../users/user.entity';
import { UsersService } from '../../users/users.service';
import { SessionRecord, SessionStore } from '../sessions/session-store';
import { SessionVerifier } from './session-verifier';

const KEY = createSecretKey(Buffer.from('unit-test-secret-of-some-length'));
const NOW = Date.UTC(2026, 10, 30, 12);
const DAY_MS = 86_400_000;

/** The cache of verified signatures must never outlive what it caches: the token's own expiry, and the session read every time. */
describe('SessionVerifier', () => {
  let sessions: jest.Mocked<SessionStore>;
  let findSessionUser: jest.Mock<Promise<SessionUser | null>, [number]>;
  let findById: jest.Mock<Promise<Partial<User> | null>, [number]>;
  let jwt: JwtService;
  let verifier: SessionVerifier;
  const user: SessionUser = { id: 7, username: 'alice', role: 'user', blockLogin: false, changePasswordOnFirstLogin: false, storageQuota: null };
  const session: SessionRecord = { id: 's1', userId: 7, createdAt: new Date(NOW), expiresAt: new Date(NOW + 10 * DAY_MS), lastSeenAt: new Date(NOW), userAgent: null, ip: null };

  beforeEach(() => {
    jest.useFakeTimers({ now: NOW });
    sessions = sessionStoreMock();
    sessions.find.mockResolvedValue(session);
    findSessionUser = jest.fn().mockResolvedValue(user);
    findById = jest.fn().mockResolvedValue({ ...user, blockLoginReason: null });
    jwt = new JwtService({ secret: KEY, signOptions: { algorithm: 'HS256' } });
    verifier = new SessionVerifier(jwt, sessions, { findSessionUser, findById } as unknown as UsersService);
  });
  afterEach(() => jest.useRealTimers());

  const token = (payload: object, expiresIn = 3600): string => jwt.sign(payload, { expiresIn });

  it('reads the session and the user on every request, also once the signature is known', async () => {
    const t = token({ sid: 's1', sub: 7 });
    expect(await verifier.verify(t)).toEqual({ user, session });
    expect(await verifier.verify(t)).toEqual({ user, session });
    expect(sessions.find).toHaveBeenCalledTimes(2);
    expect(findSessionUser).toHaveBeenCalledTimes(2);

    sessions.find.mockResolvedValue(null);
    expect(await verifier.verify(t)).toBeNull();
  });

  it('refuses a known token once its own expiry has passed, though its session lives on', async () => {
    const t = token({ sid: 's1', sub: 7 }, 60);
    expect(await verifier.verify(t)).not.toBeNull();
    jest.setSystemTime(NOW + 61_000);
    expect(await verifier.verify(t)).toBeNull();
  });

  it('refuses a bad signature, another key, a token without expiry, and a session of another user', async () => {
    const good = token({ sid: 's1', sub: 7 });
    const [head, body] = good.split('.');
    expect(await verifier.verify(`${head}.${body}.AAAA`)).toBeNull();
    const other = new JwtService({ secret: 'another-secret-of-some-length', signOptions: { algorithm: 'HS256' } });
    expect(await verifier.verify(other.sign({ sid: 's1', sub: 7 }, { expiresIn: 3600 }))).toBeNull();
    expect(await verifier.verify(jwt.sign({ sid: 's1', sub: 7 }))).toBeNull();
    // A forged token asks nothing about its user, so it learns nothing.
    expect(findById).not.toHaveBeenCalled();
    expect(await verifier.verify(token({ sid: 's1', sub: 8 }))).toBeNull();
    expect(findSessionUser).not.toHaveBeenCalled();
  });

  it('refuses a blocked or deleted user, and says a validly signed session was ended by a block, with its reason', async () => {
    const t = token({ sid: 's1', sub: 7 });
    findSessionUser.mockResolvedValueOnce({ ...user, blockLogin: true });
    findById.mockResolvedValueOnce({ ...user, blockLogin: true, blockLoginReason: 'spam' });
    expect(await verifier.verify(t)).toEqual({ blocked: 'spam' });
    findSessionUser.mockResolvedValueOnce(null);
    expect(await verifier.verify(t)).toBeNull();
    // Blocking ended the session: the token still names its user.
    sessions.find.mockResolvedValueOnce(null);
    findById.mockResolvedValueOnce({ ...user, blockLogin: true, blockLoginReason: null });
    expect(await verifier.verify(t)).toEqual({ blocked: null });
  });
});
