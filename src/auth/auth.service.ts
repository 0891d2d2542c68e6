import { randomBytes } from 'node:crypto';
import { BadRequestException, ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ClientInfo } from '../common/http/client-info';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PasswordAttempts } from '../rate-limit/password-attempts.service';
import { SessionUser, User } from '../users/user.entity';
import { USER_MESSAGES, USERNAME_PATTERN } from '../users/users.constants';
import { UsersService } from '../users/users.service';
import { NewCredentialsDto } from '../users/dto/credentials.dto';
import { AUTH_MESSAGES } from './auth.constants';
import { LoginDto, SessionView } from './dto/login.dto';
import { TokenPayload } from './guards/session-verifier';
import { SessionRecord, SessionStore } from './sessions/session-store';

export interface IssuedSession {
  token: string;
  expiresAt: Date;
  user: User;
}

export type LoginFailure = 'unknown-user' | 'wrong-password' | 'blocked';

class LoginRefused extends Error {
  constructor(
    readonly reason: LoginFailure,
    readonly user?: User,
  ) {
    super(reason);
  }
}

@Injectable()
export class AuthService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly sessions: SessionStore,
    private readonly jwt: JwtService,
    private readonly attempts: PasswordAttempts,
  ) {}

  async register(credentials: NewCredentialsDto): Promise<void> {
    const user = await this.users.createAccount(credentials);
    if (!user) throw new BadRequestException({ error: USER_MESSAGES.nameTaken });
  }

  /** S0/S1/S4 login: one message for a wrong name or password, the reason for a block. */
  async login(credentials: LoginDto, client: ClientInfo): Promise<IssuedSession> {
    try {
      return await this.openSession(credentials, client);
    } catch (error) {
      if (!(error instanceof LoginRefused)) throw error;
      const message = error.reason === 'blocked' ? AUTH_MESSAGES.loginBlocked(error.user?.blockLoginReason ?? null) : AUTH_MESSAGES.wrongCredentials;
      throw new ForbiddenException({ error: message });
    }
  }

  /** S2 `/authenticate`: tells an unknown user (404) from a wrong password (403). */
  async authenticate(credentials: LoginDto, client: ClientInfo): Promise<IssuedSession> {
    try {
      return await this.openSession(credentials, client);
    } catch (error) {
      if (!(error instanceof LoginRefused)) throw error;
      if (error.reason === 'unknown-user') throw new NotFoundException({ error: AUTH_MESSAGES.userDoesNotExist });
      if (error.reason === 'blocked') throw new ForbiddenException({ error: AUTH_MESSAGES.loginBlocked(error.user?.blockLoginReason ?? null) });
      throw new ForbiddenException({ error: AUTH_MESSAGES.incorrectPassword });
    }
  }

  /** Ends the caller's session; a request authenticated by Basic has none to end. */
  async logout(session: SessionRecord | null): Promise<void> {
    if (session) await this.sessions.delete(session.id);
  }

  async listSessions(user: SessionUser, current: SessionRecord | null): Promise<SessionView[]> {
    const sessions = await this.sessions.listByUser(user.id);
    return sessions.map((s) => ({
      id: s.id,
      createdAt: s.createdAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
      userAgent: s.userAgent,
      ip: s.ip,
      current: s.id === current?.id,
    }));
  }

  async endSession(user: SessionUser, id: string): Promise<void> {
    const session = await this.sessions.find(id);
    if (!session || session.userId !== user.id || !(await this.sessions.delete(id))) {
      throw new NotFoundException({ error: AUTH_MESSAGES.sessionNotFound });
    }
  }

  async endOtherSessions(user: SessionUser, current: SessionRecord | null): Promise<void> {
    await this.sessions.deleteAllOfUser(user.id, current?.id);
  }

  private async openSession(credentials: LoginDto, client: ClientInfo): Promise<IssuedSession> {
    let found: User | null = null;
    const passwordOk = await this.attempts.verify(credentials.username, client, async () => {
      // A name that breaks the username rule names nobody: no lookup (CONTRACT §11).
      found = USERNAME_PATTERN.test(credentials.username) ? await this.users.findByUsername(credentials.username) : null;
      return this.users.checkPassword(found, credentials.password);
    });
    const user = found as User | null;
    if (!user) throw new LoginRefused('unknown-user');
    if (!passwordOk) throw new LoginRefused('wrong-password', user);
    if (user.blockLogin) throw new LoginRefused('blocked', user);

    const now = new Date();
    const session: SessionRecord = {
      id: randomBytes(32).toString('base64url'),
      userId: user.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.sessionTtlMs),
      lastSeenAt: now,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
      ip: client.ip?.slice(0, 64) ?? null,
    };
    await this.sessions.create(session);
    const payload: TokenPayload = { sid: session.id, sub: user.id };
    const token = await this.jwt.signAsync(payload, { expiresIn: Math.ceil(this.config.sessionTtlMs / 1000) });
    return { token, expiresAt: session.expiresAt, user };
  }
}
