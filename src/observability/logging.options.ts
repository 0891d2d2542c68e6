import { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import { Params } from 'nestjs-pino';
import { DestinationStream } from 'pino';
import { Options } from 'pino-http';
import { AppConfig } from '../config/app-config';
import { pathOf, routeOf, userIdOf } from './request-facts';
import { requestIdOf } from './request-id';

/**
 * Belt and braces: the request line is built from an allowlist (below), so headers and bodies
 * never reach it; these paths catch a secret that some other log call passes by name.
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

/** One line per request: exactly these members, nothing taken from headers or bodies. */
function requestLine(req: IncomingMessage, res: ServerResponse, durationMs: number): Record<string, unknown> {
  return {
    method: req.method,
    route: routeOf(req),
    path: pathOf(req),
    status: res.statusCode,
    durationMs,
    userId: userIdOf(req),
  };
}

function durationOf(val: object): number {
  const time = (val as { responseTime?: unknown }).responseTime;
  return typeof time === 'number' ? time : 0;
}

export function loggingOptions(config: AppConfig, destination: DestinationStream | undefined): Params {
  const options: Options = {
    level: config.logLevel,
    // Request logs carry only the request id as context; the line itself is requestLine().
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    genReqId: requestIdOf,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // 503 is a known condition (a dependency down, draining), already logged once as an outage.
    customLogLevel: (_req, res, error) => (res.statusCode === 503 ? 'warn' : error || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    customSuccessObject: (req, res, val: object) => requestLine(req, res, durationOf(val)),
    customErrorObject: (req, res, error, val: object) => ({
      ...requestLine(req, res, durationOf(val)),
      error: { type: error.name, message: error.message },
    }),
  };
  return {
    pinoHttp: destination ? [options, destination] : options,
    // Nest 11 (path-to-regexp 8) spelling of "every path".
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
  };
}
