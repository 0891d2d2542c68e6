import { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { setupOpenApi } from './openapi';
import { applyHttpSecurity } from './security/http-security';

const LOG_LEVELS: Record<string, LogLevel[] | false> = {
  silent: false,
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** Builds the whole app; `main.ts` and the e2e tests go through here, so both run the same thing. */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    // The app's own JSON parser runs as middleware, so that upload routes can stream raw bodies.
    bodyParser: false,
    logger: LOG_LEVELS[config.logLevel] ?? undefined,
  });
  app.disable('x-powered-by');
  app.set('etag', false);
  // Before Swagger and the routes, so that every answer carries the security headers.
  applyHttpSecurity(app, config);
  app.enableShutdownHooks();
  setupOpenApi(app);
  await app.init();
  // Large transfers over slow links must not be cut by Node's 300 s default (CONTRACT §3 Files).
  const server = app.getHttpServer() as import('node:http').Server;
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  return app;
}
