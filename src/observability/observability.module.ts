import { DynamicModule, Global, Module } from '@nestjs/common';
import { DestinationStream } from 'pino';
import { AppLogger } from './app-logger';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { createRootLogger, ROOT_LOGGER } from './logging.options';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { RequestObserver } from './request-observer';

export interface ObservabilityOptions {
  /** Where the JSON log lines go (default stdout); tests pass a stream to read them. */
  logDestination?: DestinationStream;
}

/**
 * Structured logs (pino: one line per request with its request id, and Nest's own lines) and
 * Prometheus metrics. Global, so that any module can inject MetricsService to count its bytes
 * and sessions. RequestObserver is mounted by createApp ahead of everything else.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions = {}): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [MetricsController],
      providers: [
        { provide: ROOT_LOGGER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createRootLogger(config, options.logDestination) },
        MetricsService,
        RequestObserver,
        AppLogger,
      ],
      exports: [MetricsService, AppLogger, RequestObserver],
    };
  }
}
