import { Inject, Injectable } from '@nestjs/common';
import { Response } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { SESSION_COOKIE } from './auth.constants';

/** The `session` cookie that the login routes set for browsers and S4 clients. */
@Injectable()
export class SessionCookie {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  set(res: Response, token: string, expiresAt: Date): void {
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: this.config.cookieSecure, path: '/', expires: expiresAt });
  }

  clear(res: Response): void {
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: this.config.cookieSecure, path: '/' });
  }
}
