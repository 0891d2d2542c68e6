import { Request } from 'express';

interface RouterLayer {
  match(path: string): boolean;
  route?: { _methods(): string[] };
}

/**
 * The methods the app serves at a path, read from the Express router, so that a known path
 * asked with another method can answer 405 with an `Allow` header.
 */
export function allowedMethods(req: Request): string[] {
  const stack = (req.app as unknown as { router?: { stack: RouterLayer[] } }).router?.stack ?? [];
  const methods = new Set<string>();
  for (const layer of stack) {
    if (layer.route && layer.match(req.path)) {
      for (const method of layer.route._methods()) methods.add(method);
    }
  }
  return [...methods].sort();
}
