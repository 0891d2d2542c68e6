import { IncomingMessage } from 'node:http';
import { Request } from 'express';
import { Principal } from '../auth/guards/access.decorators';

/** The route label of a request that matched no route: one value, so 404 floods add no series. */
export const UNMATCHED_ROUTE = '(unmatched)';

/** The matched route pattern (`/files/:filename`), never the raw path, so labels stay few. */
export function routeOf(req: IncomingMessage): string {
  const route = (req as Request).route as { path?: unknown } | undefined;
  return typeof route?.path === 'string' ? route.path : UNMATCHED_ROUTE;
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
