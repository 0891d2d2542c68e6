import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { AppConfig } from '../config/app-config';

type CspDirectives = Record<string, string[]>;

/**
 * The web page (/app/) is plain HTML, CSS and ES modules from this origin, plays <audio> from
 * this origin and calls the API on this origin: nothing else is allowed to run or load.
 */
export const APP_CSP: CspDirectives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'media-src': ["'self'", 'blob:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** Swagger UI's page carries inline <style> blocks and data: images; its scripts are files. */
export const DOCS_CSP: CspDirectives = {
  ...APP_CSP,
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'https:'],
};

export const DOCS_PATH = '/docs';

function helmetWith(directives: CspDirectives) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      // No upgrade-insecure-requests: a plain-HTTP deployment (docker compose on port 80) would break.
      directives,
    },
    // <audio> and downloads are same-origin; cross-origin API clients use CORS, which CORP does not block.
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
}

/**
 * helmet (one CSP for everything, a relaxed one for /docs), CORS from CORS_ORIGINS and Express's
 * 'trust proxy'. Applied before any route, so every answer carries the headers; the Files
 * module's download CSP (sandbox) replaces the header on file bytes afterwards.
 */
export function applyHttpSecurity(app: INestApplication, config: AppConfig): void {
  const express = app as NestExpressApplication;
  express.set('trust proxy', config.trustProxy);

  const appHelmet = helmetWith(APP_CSP);
  const docsHelmet = helmetWith(DOCS_CSP);
  express.use((req: Request, res: Response, next: NextFunction) => {
    const docs = req.path === DOCS_PATH || req.path.startsWith(`${DOCS_PATH}/`);
    (docs ? docsHelmet : appHelmet)(req, res, next);
  });

  if (config.corsOrigins.length > 0) {
    express.enableCors({
      origin: [...config.corsOrigins],
      credentials: true,
      exposedHeaders: ['Location', 'ETag', 'Last-Modified', 'Content-Range', 'Content-Disposition', 'Accept-Ranges', 'Retry-After', 'X-Request-Id'],
      maxAge: 600,
    });
  }
}
