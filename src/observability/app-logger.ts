import { Inject, Injectable, LoggerService } from '@nestjs/common';
import { Level, Logger } from 'pino';
import { ROOT_LOGGER } from './logging.options';

/**
 * Nest's own start-up chatter (one line per module and per route) is for whoever debugs the
 * wiring: at debug level, so that `info` shows the one line a person needs ("listening on …").
 */
const WIRING_CONTEXTS: ReadonlySet<string> = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * Nest's LoggerService on the app's pino logger: `new Logger('Outages').warn({dependency}, 'redis
 * unavailable')` becomes `{"level":40,"context":"Outages","dependency":"redis","msg":"redis
 * unavailable"}`. The last parameter is the context (Nest appends it); an object message is merged
 * into the line; an Error goes under `err`.
 */
@Injectable()
export class AppLogger implements LoggerService {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = params[params.length - 1];
    this.write(typeof context === 'string' && WIRING_CONTEXTS.has(context) ? 'debug' : 'info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const line: Record<string, unknown> = {};
    const rest = params.slice(0, -1);
    if (params.length > 0) line.context = params[params.length - 1];
    if (message instanceof Error) {
      line.err = message;
      this.logger[level](line, ...(rest as [string?]));
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...line, ...message }, ...(rest as [string?]));
    } else if (level === 'error' && rest.length === 1 && typeof rest[0] === 'string' && rest[0].includes('\n')) {
      // Nest's `error(message, stack, context)`.
      this.logger.error({ ...line, err: { message: String(message), stack: rest[0] } });
    } else {
      this.logger[level](line, String(message), ...(rest as []));
    }
  }
}
