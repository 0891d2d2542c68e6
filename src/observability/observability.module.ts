import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { DestinationStream } from 'pino';
import pinoPretty from 'pino-pretty';
import { AppLogger } from './app-logger';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { loggingOptions } from './logging.options';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

export interface ObservabilityOptions {
  /** Where the JSON log lines go (default stdout); tests pass a stream to read them. */
  logDestination?: DestinationStream;
}

/**
 * Structured request logs with request ids (nestjs-pino) and Prometheus metrics. Global, so
 * that any module can inject MetricsService to count its bytes and sessions.
 */
function prettyStream(): DestinationStream {
  return pinoPretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true });
}

@Global()
@Module({})
export class ObservabilityModule implements NestModule {
  static forRoot(options: ObservabilityOptions = {}): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          // A person at a terminal reads pino-pretty's lines; anything else (files, collectors) gets JSON.
          useFactory: (config: AppConfig) => loggingOptions(config, options.logDestination ?? (process.stdout.isTTY ? prettyStream() : undefined)),
        }),
      ],
      controllers: [MetricsController],
      providers: [MetricsService, HttpMetricsMiddleware, AppLogger],
      exports: [MetricsService, AppLogger],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('{*path}');
  }
}
