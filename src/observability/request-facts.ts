import { IncomingMessage } from 'node:http';
import { Request } from 'express';
import { Principal } from '../auth/guards/access.decorators';

/** The route label of a request that matched no route: one value, so 404 floods add no series. */
export const UNMATCHED_ROUTE = '(unmatched)';

/** How Nest mounts `forRoutes('{*path}')` middleware. */
const MIDDLEWARE_ROUTE = '/{*path}';

/** The matched route pattern (`/files/:filename`), never the raw path, so labels stay few. */
export function routeOf(req: IncomingMessage): string {
  const route = (req as Request).route as { path?: unknown } | undefined;
  // Middleware applied to every path is mounted as this catch-all route: it is what a request
  // that no controller matched is left with.
  if (typeof route?.path !== 'string' || route.path === MIDDLEWARE_ROUTE) return UNMATCHED_ROUTE;
  return route.path;
}

/** The path without its query string: a query is never logged. */
export function pathOf(req: IncomingMessage): string {
  const url = (req as Request).originalUrl ?? req.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export function userIdOf(req: IncomingMessage): number | null {
  return (req as Request & { user?: Principal }).user?.user.id ?? null;
}
