import { Request } from 'express';
import { cookiesOf } from './cookies';

/** What the services may know of the client behind a request: for sessions and abuse limits. */
export interface ClientInfo {
  userAgent: string | null;
  /** `req.ip`, which honours TRUST_PROXY. */
  ip: string | null;
  /** The request's cookies (device cookies of §11 live here). */
  cookies: Readonly<Record<string, string | undefined>>;
}

export function clientOf(req: Request): ClientInfo {
  return {
    userAgent: req.get('user-agent') ?? null,
    ip: req.ip ?? null,
    cookies: cookiesOf(req),
  };
}
