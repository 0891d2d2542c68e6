import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import express, { NextFunction, Request, Response } from 'express';

export const WEB_PAGE_PATH = '/app';
const FAVICON_PATH = '/favicon.ico';
const VENDOR_PATH = `${WEB_PAGE_PATH}/vendor/`;

/** Browser builds of the libraries the page uses, served from node_modules: always the installed version. */
const VENDOR_FILES: Record<string, string> = { 'tus.min.js': 'tus-js-client/dist/tus.min.js' };

/**
 * The folder with the page's files: `public/` at the package root, found by walking up from
 * this file, so that it is the same from `src/` (ts-node, Jest) and from `dist/` (production).
 */
export function publicDir(from = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'public'))) return join(dir, 'public');
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no public/ folder above ${from}`);
    dir = parent;
  }
}

/**
 * Serves the web page's static files under /app/. It reads `originalUrl`, so it does not depend
 * on how the middleware is mounted; anything it does not have falls through to the router's 404.
 */
export function webPageMiddleware(root = publicDir()): (req: Request, res: Response, next: NextFunction) => void {
  const serve = express.static(root, {
    index: ['index.html'],
    redirect: false,
    fallthrough: true,
    dotfiles: 'ignore',
    // Files are small and change with deployments: revalidate (ETag) rather than cache blindly.
    cacheControl: true,
    maxAge: 0,
  });
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const [path, query] = splitUrl(req.originalUrl);
    if (path === WEB_PAGE_PATH) return res.redirect(301, `${WEB_PAGE_PATH}/${query}`);
    // Browsers and bookmarks ask the root for an icon; it lives with the page.
    if (path === FAVICON_PATH) return res.redirect(301, `${WEB_PAGE_PATH}/favicon.svg`);
    if (!path.startsWith(`${WEB_PAGE_PATH}/`)) return next();
    if (path.startsWith(VENDOR_PATH)) {
      const module = VENDOR_FILES[path.slice(VENDOR_PATH.length)];
      if (!module) return next();
      return res.sendFile(require.resolve(module), (error?: Error) => {
        if (error && !res.headersSent) next(error);
      });
    }
    const mountedUrl = req.url;
    req.url = path.slice(WEB_PAGE_PATH.length) + query;
    serve(req, res, (error?: unknown) => {
      req.url = mountedUrl;
      next(error);
    });
  };
}

function splitUrl(url: string): [string, string] {
  const at = url.indexOf('?');
  return at === -1 ? [url, ''] : [url.slice(0, at), url.slice(at)];
}
