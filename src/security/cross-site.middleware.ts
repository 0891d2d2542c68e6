import { ForbiddenException, Inject, Injectable, NestMiddleware } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { SESSION_COOKIE } from '../auth/auth.constants';
import { headerToken } from '../auth/guards/token-extractor';
import { cookiesOf } from '../common/http/cookies';
import { APP_CONFIG, AppConfig } from '../config/app-config';

export const CROSS_SITE_REFUSED = 'Cross-site request refused';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SAME_SITE_FETCH = new Set(['same-origin', 'none']);

/**
 * CONTRACT §11's cross-site rule. A state-changing request whose only credential is the session
 * cookie is refused when the browser says it came from another origin: `Sec-Fetch-Site` other
 * than same-origin/none, or an `Origin` that is neither this server nor in CORS_ORIGINS.
 * SameSite=Lax alone lets another port of the same host through; this does not. Requests with
 * neither header (curl, Postman, S4 clients with a cookie jar) pass, as do requests with a header token (Bearer, X-Session, token).
 * Runs before any body is read, so a refused upload costs nothing.
 */
@Injectable()
export class CrossSiteMiddleware implements NestMiddleware {
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.allowedOrigins = new Set(config.corsOrigins);
  }

  use(req: Request, _res: Response, next: NextFunction): void {
    // Decided by the credential the guard will use: a header token wins over the cookie; with
    // the cookie, any other Authorization (Basic, garbage) is not what authenticates.
    if (SAFE_METHODS.has(req.method) || headerToken(req) !== null) return next();
    if (!cookiesOf(req)[SESSION_COOKIE]) return next();
    if (this.crossSite(req)) throw new ForbiddenException({ error: CROSS_SITE_REFUSED });
    next();
  }

  private crossSite(req: Request): boolean {
    const fetchSite = req.headers['sec-fetch-site'];
    if (typeof fetchSite === 'string' && !SAME_SITE_FETCH.has(fetchSite.toLowerCase())) return true;
    const origin = req.headers.origin;
    if (origin === undefined) return false;
    if (this.allowedOrigins.has(origin)) return false;
    try {
      // This server's own origin: the host the browser addressed (Express 5's req.host is the
      // forwarded one behind a trusted proxy, with the port).
      return new URL(origin).host !== req.host;
    } catch {
      // "null" (sandboxed frames, file: pages) or garbage: not this server.
      return true;
    }
  }
}
