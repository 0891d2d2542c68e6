import { Request } from 'express';

interface RouterRoute {
  methods?: Record<string, boolean>;
  _methods(): string[];
}

interface RouterLayer {
  match(path: string): boolean;
  route?: RouterRoute;
}

/**
 * Nest mounts middleware as one route that answers every method, whereas each controller
 * handler is a route of its own with one method.
 */
function isMiddlewareRoute(route: RouterRoute): boolean {
  return Object.keys(route.methods ?? {}).length > 1 || route.methods?._all === true;
}

/**
 * Whether a controller's route took the request. Express leaves `req.route` pointing at the
 * last route layer that ran, which is the middleware's when no controller matched.
 */
export function reachedRoute(req: Request): boolean {
  const route = req.route as RouterRoute | undefined;
  return route !== undefined && !isMiddlewareRoute(route);
}

/**
 * The methods the app serves at a path, read from the Express router, so that a known path
 * asked with another method can answer 405 with an `Allow` header.
 */
export function allowedMethods(req: Request): string[] {
  const stack = (req.app as unknown as { router?: { stack: RouterLayer[] } }).router?.stack ?? [];
  const methods = new Set<string>();
  for (const layer of stack) {
    if (layer.route && !isMiddlewareRoute(layer.route) && layer.match(req.path)) {
      for (const method of layer.route._methods()) methods.add(method);
    }
  }
  return [...methods].sort();
}
