import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { SessionStore } from '../sessions/session-store';
import { UsersService } from '../../users/users.service';
import { Principal } from './access.decorators';

export interface TokenPayload {
  sid: string;
  sub: number;
}

/** Only this often is `lastSeenAt` written, so that reads do not each cost a write. */
const TOUCH_INTERVAL_MS = 60_000;

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

  /** The session and its user; null for a bad or expired token, an ended session, or a blocked or deleted user. */
  async verify(token: string): Promise<Principal | null> {
    let payload: Partial<TokenPayload>;
    try {
      payload = this.jwt.verify<TokenPayload>(token, { algorithms: ['HS256'] });
    } catch {
      return null;
    }
    if (typeof payload.sid !== 'string' || typeof payload.sub !== 'number') return null;
    const session = await this.sessions.find(payload.sid);
    if (!session || session.userId !== payload.sub) return null;
    const user = await this.users.findSessionUser(session.userId);
    if (!user || user.blockLogin) return null;
    const now = new Date();
    if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
      await this.sessions.touch(session.id, now);
      session.lastSeenAt = now;
    }
    return { user, session };
  }
}
