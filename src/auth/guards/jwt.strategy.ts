import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Request } from 'express';
import { Strategy } from 'passport-jwt';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { SessionStore } from '../sessions/session-store';
import { UsersService } from '../../users/users.service';
import { Principal } from './access.decorators';
import { extractToken } from './token-extractor';
import { jwtKey } from '../jwt-key';

export interface TokenPayload {
  sid: string;
  sub: number;
}

/** Only this often is `lastSeenAt` written, so that reads do not each cost a write. */
const TOUCH_INTERVAL_MS = 60_000;

/** Verifies the JWT's signature and expiry, then the session it names: ended sessions are refused. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly sessions: SessionStore,
    private readonly users: UsersService,
  ) {
    super({ jwtFromRequest: extractToken, secretOrKey: jwtKey(config) as unknown as Buffer, algorithms: ['HS256'], passReqToCallback: true });
  }

  async validate(_req: Request, payload: TokenPayload): Promise<Principal | false> {
    if (typeof payload.sid !== 'string' || typeof payload.sub !== 'number') return false;
    const session = await this.sessions.find(payload.sid);
    if (!session || session.userId !== payload.sub) return false;
    const user = await this.users.findById(session.userId);
    if (!user || user.blockLogin) return false;
    const now = new Date();
    if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
      await this.sessions.touch(session.id, now);
      session.lastSeenAt = now;
    }
    return { user, session };
  }
}
