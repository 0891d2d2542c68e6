import { CallHandler, createParamDecorator, ExecutionContext, Injectable, mixin, NestInterceptor, Type } from '@nestjs/common';
import { Request, Response } from 'express';
import { catchError, Observable, throwError } from 'rxjs';
import { MultipartOptions, MultipartParts } from './multipart-parts';

/**
 * A rejected upload's unread body is drained (keeping the connection usable and the client
 * able to read the answer) up to this many bytes; beyond, the connection is closed instead.
 */
export const REJECTED_BODY_DRAIN_BYTES = 4 * 1024 * 1024;

const UPLOAD_PARTS = Symbol('uploadParts');
type UploadRequest = Request & { [UPLOAD_PARTS]?: MultipartParts };

/** The Content-Length the client declared, when it declared one (not chunked). */
export function declaredLength(req: Request): number | undefined {
  const raw = req.headers['content-length'];
  if (raw === undefined || req.headers['transfer-encoding'] !== undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/**
 * An upload refused before its body was read (413 on the declared length, 507, 400, or a limit
 * hit mid-stream). A small rest is read and dropped, so the client can read the answer and keep
 * the connection; a large one is not worth receiving, and the connection closes after the answer.
 */
function abandonBody(req: Request, res: Response): void {
  if (req.complete || req.destroyed) return;
  req.unpipe();
  const declared = declaredLength(req);
  if (declared !== undefined && declared > REJECTED_BODY_DRAIN_BYTES) {
    if (!res.headersSent) res.setHeader('Connection', 'close');
    return;
  }
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > REJECTED_BODY_DRAIN_BYTES) req.socket.destroy();
  });
  req.resume();
}

/** Raw-body uploads (`PUT /files/{filename}`): the handler streams the request itself. */
@Injectable()
export class RawUploadInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    return next.handle().pipe(
      catchError((error: unknown) => {
        abandonBody(req, res);
        return throwError(() => error);
      }),
    );
  }
}

/**
 * Multipart uploads (`POST /upload`, `POST /sounds`): busboy parses the body as it arrives and
 * hands the handler each file part as a stream (never memory or disk storage of the whole
 * request); a failure stops the parsing, answers with the body's fault when it was one, and
 * drops the rest of the body.
 */
export function MultipartUploadInterceptor(options: MultipartOptions): Type<NestInterceptor> {
  @Injectable()
  class MultipartInterceptor implements NestInterceptor {
    intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
      const http = context.switchToHttp();
      const req = http.getRequest<UploadRequest>();
      const res = http.getResponse<Response>();
      try {
        req[UPLOAD_PARTS] = new MultipartParts(req, options);
      } catch (error) {
        abandonBody(req, res);
        throw error;
      }
      return next.handle().pipe(
        catchError((error: unknown) => {
          const parts = req[UPLOAD_PARTS];
          const cause = parts?.malformation ?? error;
          parts?.abort();
          abandonBody(req, res);
          return throwError(() => cause);
        }),
      );
    }
  }
  return mixin(MultipartInterceptor);
}

/** The file parts and fields of a request behind MultipartUploadInterceptor. */
export const UploadedParts = createParamDecorator((_: unknown, ctx: ExecutionContext): MultipartParts | undefined => {
  return ctx.switchToHttp().getRequest<UploadRequest>()[UPLOAD_PARTS];
});
