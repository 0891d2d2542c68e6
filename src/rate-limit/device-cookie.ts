import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Response } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DEVICE_COOKIE_PREFIX, DEVICE_COOKIE_TTL_MS } from './rate-limit.constants';

/**
 * OWASP's device cookies: a browser that has signed in to an account keeps a signed cookie for
 * that name, and stays exempt from the per-username lock that an attacker elsewhere may trigger.
 * The value is `<expiry>.<HMAC(username, expiry)>`; nothing in it is secret or reusable for another name.
 */
@Injectable()
export class DeviceCookie {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.key = createHmac('sha256', config.jwtSecret).update('cloudstash device cookie').digest();
  }

  nameFor(username: string): string {
    return DEVICE_COOKIE_PREFIX + createHash('sha256').update(username).digest('base64url').slice(0, 16);
  }

  issue(res: Response, username: string): void {
    const expires = Date.now() + DEVICE_COOKIE_TTL_MS;
    res.cookie(this.nameFor(username), `${expires}.${this.sign(username, expires)}`, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.cookieSecure,
      path: '/',
      expires: new Date(expires),
    });
  }

  /** True when the cookies hold a valid, unexpired device cookie for this username. */
  trusts(cookies: Readonly<Record<string, string | undefined>>, username: string): boolean {
    const value = cookies[this.nameFor(username)];
    if (typeof value !== 'string') return false;
    const match = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (!match) return false;
    const expires = Number(match[1]);
    if (expires <= Date.now()) return false;
    const expected = Buffer.from(this.sign(username, expires));
    const given = Buffer.from(match[2]);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(username: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${username}\n${expires}`).digest('base64url');
  }
}
