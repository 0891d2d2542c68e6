import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { Dependency, unavailableDependency } from '../../availability/dependency-errors';
import { Outages } from '../../availability/outages.service';
import { StorageFullError } from '../../storage/blob-store';
import { Request, Response } from 'express';
import { allowedMethods, reachedRoute } from './allowed-methods';
import { ErrorBody, METHOD_NOT_ALLOWED, NOT_FOUND } from './error-body';
import { RetryLaterException } from './retry-later.exception';
import { ValidationFailedException, validationErrorBody } from './validation';

interface StatusError extends Error {
  status?: number;
}

/** Gives every error its contract shape; the only place where error bodies are written. */
const UNAVAILABLE: Record<Dependency, string> = {
  database: 'The database is unavailable; try again shortly',
  redis: 'The session store (Redis) is unavailable; try again shortly',
  storage: 'The file storage is unavailable; try again shortly',
};

/** Content-Range stays: a 416 carries `bytes *\/size` (RFC 9110). */
const ENTITY_HEADERS = ['Content-Type', 'Content-Length', 'Content-Disposition', 'ETag', 'Last-Modified'];

/** Seconds a client is told to wait while a dependency is down. */
const OUTAGE_RETRY_AFTER_S = 5;
/** A full disk waits for someone to free space: clients are told to come back later than for an outage. */
const FULL_RETRY_AFTER_S = 60;
const STORAGE_FULL = "The server's storage is full; try again later";

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  constructor(private readonly outages: Outages) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    if (res.headersSent) {
      // Bytes are already on the wire: the only honest signal left is to cut the connection.
      res.destroy(exception instanceof Error ? exception : undefined);
      return;
    }
    // A route that failed after describing the bytes it meant to send (a download whose store
    // is down) must not label the JSON error with them.
    for (const name of ENTITY_HEADERS) res.removeHeader(name);
    // The client went away mid-request (a cancelled upload): nobody is left to answer, and the
    // error its stream raised is no dependency's outage.
    if (req.socket?.destroyed) {
      res.destroy();
      return;
    }
    // No room to store (the disk under DATA_DIR is full): 507, logged once as the storage's outage.
    if (exception instanceof StorageFullError) {
      this.outages.report('storage', exception);
      res.setHeader('Retry-After', String(FULL_RETRY_AFTER_S));
      res.status(HttpStatus.INSUFFICIENT_STORAGE).json({ error: STORAGE_FULL });
      return;
    }
    // A dependency that is down is the server's condition, not a bug: 503 and one log line per outage.
    const dependency = unavailableDependency(exception);
    if (dependency) {
      this.outages.report(dependency, exception);
      res.setHeader('Retry-After', String(OUTAGE_RETRY_AFTER_S));
      res.status(HttpStatus.SERVICE_UNAVAILABLE).json({ error: UNAVAILABLE[dependency] });
      return;
    }
    const [status, body] = this.describe(exception, req, res);
    // A 5xx the app chose (503 draining, 507 quota) is a condition; only what nobody chose is a failure of the server's own code.
    if (status >= 500 && !(exception instanceof HttpException)) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    res.status(status).json(body);
  }

  private describe(exception: unknown, req: Request, res: Response): [number, ErrorBody] {
    if (exception instanceof ValidationFailedException) {
      return [HttpStatus.BAD_REQUEST, validationErrorBody(exception)];
    }
    if (exception instanceof RetryLaterException) {
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(exception.retryAfterSeconds))));
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // No route matched: a known path with another method is 405, anything else a JSON 404.
      if (status === (HttpStatus.NOT_FOUND as number) && !reachedRoute(req)) {
        const allow = allowedMethods(req);
        if (allow.length > 0) {
          res.setHeader('Allow', allow.join(', '));
          return [HttpStatus.METHOD_NOT_ALLOWED, { error: METHOD_NOT_ALLOWED }];
        }
        return [status, { error: NOT_FOUND }];
      }
      return [status, this.bodyOf(exception)];
    }
    // Body-parser's errors are mapped where the body is parsed (json-body.middleware.ts); what
    // else carries a 4xx `status` (Express's own, e.g. a malformed URI) keeps it.
    const statusError = exception as StatusError;
    if (typeof statusError?.status === 'number' && statusError.status >= 400 && statusError.status < 500) {
      return [statusError.status, { error: statusError.message }];
    }
    return [HttpStatus.INTERNAL_SERVER_ERROR, { error: 'Internal server error' }];
  }

  private bodyOf(exception: HttpException): ErrorBody {
    const response = exception.getResponse();
    if (typeof response === 'string') return { error: response };
    const body = response as ErrorBody & { statusCode?: number };
    // Bodies built by this app already have their contract shape (S2's deletes carry only `message`).
    if (body.statusCode === undefined) return body;
    // Nest's own exceptions: { statusCode, message, error }.
    const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
    return { error: message ?? body.error ?? exception.message };
  }
}
