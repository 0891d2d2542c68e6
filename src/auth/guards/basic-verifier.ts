import { Injectable } from '@nestjs/common';
import { createHmac, randomBytes } from 'node:crypto';
import { ClientInfo } from '../../common/http/client-info';
import { PasswordAttempts } from '../../rate-limit/password-attempts.service';
import { SESSION_USER_PROPERTIES, SessionUser, User } from '../../users/user.entity';
import { USERNAME_PATTERN } from '../../users/users.constants';
import { UsersService } from '../../users/users.service';
import { AppPasswordsService } from '../app-passwords/app-passwords.service';
import { Principal } from './access.decorators';
import { setBounded } from '../../common/bounded-map';

/** How long a verified account password is remembered. */
const REMEMBER_MS = 5 * 60_000;
/** At most this many remembered credentials per instance; the oldest are forgotten first. */
const REMEMBER_MAX = 10_000;

export interface BasicCredential {
  username: string;
  secret: string;
}

/** `Authorization: Basic base64(username:secret)`, or null when the header is something else. */
export function parseBasic(authorization: string | undefined): BasicCredential | null {
  const match = authorization ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization) : null;
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

interface Remembered {
  userId: number;
  /** The stored hash the password matched: a password change makes it differ, so the entry no longer counts. */
  passwordHash: string;
  expiresAtMs: number;
}

function toSessionUser(user: User): SessionUser {
  return Object.fromEntries(SESSION_USER_PROPERTIES.map((key) => [key, user[key]])) as SessionUser;
}

/**
 * HTTP Basic (CONTRACT §2): an app password (one indexed lookup of its SHA-256), or the account
 * password. An account password costs an argon2 verification, so a verified one is remembered
 * for a few minutes under an HMAC of name and password with a key that lives only in this
 * process's memory: never the password. The user is read on every request, so a password
 * change (the stored hash differs), a block or a deletion ends the credential at once, on every
 * instance. Failures go through PasswordAttempts like any login.
 */
@Injectable()
export class BasicVerifier {
  private readonly key = randomBytes(32);
  private readonly remembered = new Map<string, Remembered>();

  constructor(
    private readonly users: UsersService,
    private readonly appPasswords: AppPasswordsService,
    private readonly attempts: PasswordAttempts,
  ) {}

  /** The user; null for a wrong name or secret, or a blocked or deleted user. 429 past the brute-force limits. */
  async verify({ username, secret }: BasicCredential, client: ClientInfo): Promise<Principal | null> {
    const cacheKey = createHmac('sha256', this.key).update(username).update('\0').update(secret).digest('base64url');
    const known = this.remembered.get(cacheKey);
    if (known && known.expiresAtMs > Date.now()) {
      // Past the limits, a remembered password is refused like any guess: no answer tells it apart.
      await this.attempts.assertUnderLimits(username, client);
      const found = await this.users.findCredentialUser(known.userId);
      if (found && found.passwordHash === known.passwordHash && found.username === username) {
        const { passwordHash: _hash, ...user } = found;
        return user.blockLogin ? null : { user, session: null };
      }
    }
    this.remembered.delete(cacheKey);

    const appUserId = await this.appPasswords.userIdOf(secret);
    if (appUserId !== null) {
      const user = await this.users.findSessionUser(appUserId);
      return user && user.username === username && !user.blockLogin ? { user, session: null, appPassword: true } : null;
    }

    let found: User | null = null;
    const ok = await this.attempts.verify(username, client, async () => {
      // A name that breaks the username rule names nobody: no lookup (CONTRACT §11).
      found = USERNAME_PATTERN.test(username) ? await this.users.findByUsername(username) : null;
      return this.users.checkPassword(found, secret);
    });
    // Read again: a matching password may just have been rehashed with today's parameters.
    const user = ok ? await this.users.findByUsername(username) : null;
    if (!user || user.blockLogin || found === null) return null;
    setBounded(this.remembered, cacheKey, { userId: user.id, passwordHash: user.passwordHash, expiresAtMs: Date.now() + REMEMBER_MS }, REMEMBER_MAX);
    return { user: toSessionUser(user), session: null };
  }
}
