import { Request } from 'express';
import { cookiesOf } from '../../common/http/cookies';
import { SESSION_COOKIE, TOKEN_HEADER, X_SESSION_HEADER } from '../auth.constants';

/** The token from whichever carrier the client used: Bearer, X-Session (S0), token (S2) or the cookie (S4, web page). */
export function extractToken(req: Request): string | null {
  return headerToken(req) ?? (cookiesOf(req)[SESSION_COOKIE] || null);
}

/** A token in a header (Bearer, X-Session, token), which a page of another site cannot add; it wins over the cookie. */
export function headerToken(req: Request): string | null {
  const authorization = req.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (match) return match[1];
  }
  for (const header of [X_SESSION_HEADER, TOKEN_HEADER]) {
    const value = req.headers[header];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return null;
}
