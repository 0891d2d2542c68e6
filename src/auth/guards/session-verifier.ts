import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { SessionStore } from '../sessions/session-store';
import { UsersService } from '../../users/users.service';
import { Principal } from './access.decorators';
import { setBounded } from '../../common/bounded-map';

export interface TokenPayload {
  sid: string;
  sub: number;
}

/** Only this often is `lastSeenAt` written, so that reads do not each cost a write. */
const TOUCH_INTERVAL_MS = 60_000;

/** Tokens whose signature this instance has checked, at most (the oldest are forgotten first). */
const VERIFIED_TOKENS_MAX = 10_000;

/** A validly signed token of a user who has been blocked since, with the block's reason. */
export interface BlockedUser {
  blocked: string | null;
}

interface VerifiedToken extends TokenPayload {
  /** When the token itself expires (ms); the session may end sooner. */
  expiresAtMs: number;
}

/**
 * Checks a token on every request: its HS256 signature and expiry (jsonwebtoken, through the
 * JwtService that signs them, with JWT_SECRET as a KeyObject), then the session it names in
 * the shared store, so that a session ended on any instance is refused on the very next
 * request everywhere; then the user, read narrowly (no password hash, no data).
 */
@Injectable()
export class SessionVerifier {
  constructor(
    private readonly jwt: JwtService,
    private readonly sessions: SessionStore,
    private readonly users: UsersService,
  ) {}

  /**
   * A token's signature never changes, so each is checked once per instance and remembered
   * with its expiry; what can change, the session and the user, is read on every request.
   */
  private readonly verified = new Map<string, VerifiedToken>();

  /**
   * The session and its user; null for a bad or expired token, an ended session, or a deleted
   * user; `{ blocked }` when the token is one this server signed for a user who is blocked now
   * (blocking ends their sessions), so that the answer can say why instead of "invalid".
   */
  async verify(token: string): Promise<Principal | BlockedUser | null> {
    const payload = this.checkSignature(token);
    if (!payload) return null;
    const session = await this.sessions.find(payload.sid);
    if (!session || session.userId !== payload.sub) return this.blockedOrNull(payload.sub);
    const user = await this.users.findSessionUser(session.userId);
    if (!user) return null;
    if (user.blockLogin) return this.blockedOrNull(user.id);
    const now = new Date();
    if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
      await this.sessions.touch(session.id, now);
      session.lastSeenAt = now;
    }
    return { user, session };
  }

  /** Only for a token whose signature held: a forged one learns nothing of anybody. */
  private async blockedOrNull(userId: number): Promise<BlockedUser | null> {
    const user = await this.users.findById(userId);
    return user?.blockLogin ? { blocked: user.blockLoginReason } : null;
  }

  private checkSignature(token: string): TokenPayload | null {
    const known = this.verified.get(token);
    if (known) {
      if (known.expiresAtMs > Date.now()) return known;
      this.verified.delete(token);
      return null;
    }
    let payload: Partial<TokenPayload> & { exp?: unknown };
    try {
      payload = this.jwt.verify<TokenPayload & { exp?: unknown }>(token, { algorithms: ['HS256'] });
    } catch {
      return null;
    }
    if (typeof payload.sid !== 'string' || typeof payload.sub !== 'number' || typeof payload.exp !== 'number') return null;
    const verified = { sid: payload.sid, sub: payload.sub, expiresAtMs: payload.exp * 1000 };
    setBounded(this.verified, token, verified, VERIFIED_TOKENS_MAX);
    return verified;
  }
}
