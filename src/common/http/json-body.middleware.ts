import { isUtf8 } from 'node:buffer';
import { IncomingMessage } from 'node:http';
import { BadRequestException, HttpException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import { NextFunction, Request, Response, json } from 'express';
import { BODY_NOT_UTF8, JSON_TOO_DEEP, JSON_TOO_LARGE, MALFORMED_JSON } from './error-body';

export const JSON_BODY_LIMIT = 1024 * 1024;
/** Deeper bodies are refused before parsing: validation recurses, and would overflow the stack. */
export const JSON_MAX_DEPTH = 64;

/** What body-parser attaches to the errors it passes on (see body-parser's `read.js`). */
interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

class InvalidUtf8Error extends Error {
  readonly status = 400;
  readonly type = 'entity.not.utf8';
}

class TooDeepError extends Error {
  readonly status = 400;
  readonly type = 'entity.too.deep';
}

/** The deepest nesting of arrays and objects in JSON text, brackets inside strings ignored. */
export function jsonDepth(buf: Uint8Array): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/**
 * JSON routes read the body as JSON whatever its declared type: real S0 clients send none, and
 * `curl -d` says form-urlencoded. Only multipart bodies are left alone.
 */
function isJsonish(req: IncomingMessage): boolean {
  const type = req.headers['content-type'] ?? '';
  return !type.toLowerCase().startsWith('multipart/');
}

const parseJson = json({
  limit: JSON_BODY_LIMIT,
  type: isJsonish,
  verify: (_req, _res, buf) => {
    // Checked on the raw bytes: the decoder would otherwise turn bad bytes into U+FFFD silently.
    if (!isUtf8(buf)) throw new InvalidUtf8Error(BODY_NOT_UTF8);
    if (jsonDepth(buf) > JSON_MAX_DEPTH) throw new TooDeepError(JSON_TOO_DEEP);
  },
});

/**
 * body-parser's errors become HTTP exceptions with the contract's bodies here, because Nest
 * would otherwise turn a SyntaxError into its own 400 shape with a bare parser message.
 */
export function toHttpException(error: BodyParserError): HttpException | BodyParserError {
  switch (error.type) {
    case 'entity.too.large':
      return new PayloadTooLargeException({ error: JSON_TOO_LARGE });
    case 'entity.parse.failed':
      return new BadRequestException({ error: `${MALFORMED_JSON}: ${error.message}` });
    case 'entity.too.deep':
      return new BadRequestException({ error: JSON_TOO_DEEP });
    case 'entity.not.utf8':
    case 'charset.unsupported':
      return new BadRequestException({ error: BODY_NOT_UTF8 });
    case 'encoding.unsupported':
      return new UnsupportedMediaTypeException({ error: `Unsupported Content-Encoding: ${error.message}` });
    default:
      // body-parser's own 5xx errors are the server's fault: leave them to the filter as such.
      if (error.status === undefined || error.status >= 500) return error;
      // Aborted or truncated requests and the like: the client's fault, never a 500.
      return new BadRequestException({ error: `Could not read the request body: ${error.message}` });
  }
}

const BODY_ERROR = Symbol('cloudstash:body-error');

/**
 * The app's JSON body parser (Nest's own is turned off). Routes that stream a raw body
 * (file uploads) are excluded where it is applied, so their bytes are never buffered here.
 *
 * A body it cannot read is not answered here: middleware runs before routing, and a request
 * for no route at all (an XML body sent to a wrong URL, say) is 404 whatever its body. The error
 * waits on the request for `BodyErrorGuard`, which runs once a route has matched.
 */
export function jsonBodyParser(req: Request, res: Response, next: NextFunction): void {
  void parseJson(req, res, (error?: unknown) => {
    if (error) (req as Request & { [BODY_ERROR]?: Error })[BODY_ERROR] = toHttpException(error as BodyParserError);
    next();
  });
}

/** The error the JSON parser left on the request, if any. */
export function bodyErrorOf(req: Request): Error | undefined {
  return (req as Request & { [BODY_ERROR]?: Error })[BODY_ERROR];
}
