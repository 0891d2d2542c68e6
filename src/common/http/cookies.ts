import { IncomingMessage } from 'node:http';
import { parse } from 'cookie';

const PARSED = Symbol('cookies');

type WithCookies = IncomingMessage & { [PARSED]?: Readonly<Record<string, string | undefined>> };

/**
 * The request's cookies, parsed on first use and kept on the request. Most API calls carry a
 * header credential and no cookie, so parsing every request up front (cookie-parser) was work
 * for nothing; the session cookie, the cross-site check and the device cookies read it here.
 */
export function cookiesOf(req: IncomingMessage): Readonly<Record<string, string | undefined>> {
  const request = req as WithCookies;
  const cookies = request[PARSED] ?? (req.headers.cookie ? parse(req.headers.cookie) : {});
  request[PARSED] = cookies;
  return cookies;
}
