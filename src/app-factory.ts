import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { AppLogger } from './observability/app-logger';
import { ObservabilityOptions } from './observability/observability.module';
import { RequestObserver } from './observability/request-observer';
import { setupOpenApi } from './openapi';
import { applyHttpSecurity } from './security/http-security';

/** Builds the whole app; `main.ts` and the e2e tests go through here, so both run the same thing. */
export async function createApp(config: AppConfig, options: ObservabilityOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    // The app's own JSON parser runs as middleware, so that upload routes can stream raw bodies.
    bodyParser: false,
    // Start-up lines wait for the JSON logger (pino), so every line has one format.
    bufferLogs: true,
    logger: config.logLevel === 'silent' ? false : undefined,
  });
  app.useLogger(app.get(AppLogger));
  // First of all: the request id, and the log line and metrics once the answer is sent.
  app.use(app.get(RequestObserver).handle);
  app.disable('x-powered-by');
  app.set('etag', false);
  // Before Swagger and the routes, so that every answer carries the security headers.
  applyHttpSecurity(app, config);
  app.enableShutdownHooks();
  setupOpenApi(app);
  await app.init();
  // Large transfers over slow links must not be cut by Node's 300 s default (CONTRACT §3 Files);
  // what protects the server from slow clients instead is the idle timeout: a socket with no
  // byte in either direction for IDLE_TIMEOUT is destroyed, one that keeps moving lives on (§11).
  const server = app.getHttpServer();
  server.requestTimeout = 0;
  server.headersTimeout = Math.min(60_000, config.idleTimeoutMs);
  server.timeout = config.idleTimeoutMs;
  return app;
}
