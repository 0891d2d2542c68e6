import { isUtf8 } from 'node:buffer';
import { IncomingMessage } from 'node:http';
import { json } from 'express';

export const JSON_BODY_LIMIT = 1024 * 1024;

class InvalidUtf8Error extends Error {
  readonly status = 400;
  readonly type = 'entity.parse.failed';
}

/**
 * JSON routes read the body as JSON whatever its declared type: real S0 clients send none, and
 * `curl -d` says form-urlencoded. Only multipart bodies are left alone.
 */
function isJsonish(req: IncomingMessage): boolean {
  const type = req.headers['content-type'] ?? '';
  return !type.toLowerCase().startsWith('multipart/');
}

/**
 * The app's JSON body parser (Nest's own is turned off). Routes that stream a raw body
 * (file uploads) are excluded where it is applied, so their bytes are never buffered here.
 */
export const jsonBodyParser = json({
  limit: JSON_BODY_LIMIT,
  type: isJsonish,
  verify: (_req, _res, buf) => {
    if (!isUtf8(buf)) throw new InvalidUtf8Error('Request body is not valid UTF-8');
  },
});
