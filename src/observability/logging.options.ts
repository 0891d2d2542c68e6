import pino, { DestinationStream, Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { AppConfig } from '../config/app-config';

/** The one pino logger of the app; AppLogger (Nest's lines) and RequestObserver (request lines) write through it. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * Belt and braces: the request line is built from an allowlist (request-observer.ts), so
 * headers and bodies never reach it; these paths catch a secret that some other log call passes
 * by name.
 */
export const REDACTED_PATHS = [
  'password',
  'token',
  'authorization',
  'cookie',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.authorization',
  '*.cookie',
  '*["set-cookie"]',
  '*["x-session"]',
  '*.headers',
];

/** A person at a terminal reads pino-pretty's lines; anything else (files, collectors) gets JSON. */
function prettyStream(): DestinationStream {
  return pinoPretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true });
}

/** JSON lines to `destination` (tests), else to stdout (pretty on a TTY), written synchronously so that none is lost at exit. */
export function createRootLogger(config: AppConfig, destination?: DestinationStream): Logger {
  const options = { level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return pino(options, destination ?? (process.stdout.isTTY ? prettyStream() : pino.destination({ dest: 1, sync: true })));
}
