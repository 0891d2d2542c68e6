import { types } from 'node:util';
import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import { Server } from '@tus/server';
import { ERRORS } from '@tus/utils';
import { IncomingMessage } from 'node:http';
import { Request } from 'express';
import { Principal } from '../auth/guards/access.decorators';
import { SharedLocks } from '../common/locks/shared-locks';
import { AppConfig } from '../config/app-config';
import { CloudstashTusStore } from './tus-store';
import { SharedUploadLocker } from './upload-locker';
import { UPLOAD_MESSAGES, UPLOADS_PATH } from './uploads.constants';
import { UploadsService } from './uploads.service';

/** The caller, as the global guard verified it. */
function principalOf(req: IncomingMessage): Principal {
  const principal = (req as IncomingMessage & { user?: Principal }).user;
  // The guard lets no request without a credential reach the tus server.
  if (!principal) throw new HttpException({ error: 'Authentication required' }, HttpStatus.UNAUTHORIZED);
  return principal;
}

function isTusError(error: unknown): error is { status_code: number; body: string } {
  return typeof error === 'object' && error !== null && !(error instanceof Error) && typeof (error as { status_code?: unknown }).status_code === 'number';
}

/**
 * Errors leave the tus server as exceptions, so that the app's one exception filter writes them
 * (JSON bodies, 503 for a dependency that is down) as for every other route.
 */
function asException(error: unknown): unknown {
  if (error === ERRORS.ERR_LOCK_TIMEOUT) return new HttpException({ error: UPLOAD_MESSAGES.busy }, HttpStatus.LOCKED);
  if (isTusError(error)) return new HttpException({ error: error.body.trim() }, error.status_code);
  return error;
}

/**
 * @tus/server answers some refusals itself, in plain text, before any hook runs (a missing
 * Tus-Resumable, an invalid header such as Upload-Length or Upload-Metadata, an unknown method):
 * those leave here as JSON `{error}`, like every other answer of the app.
 */
class JsonErrorsTusServer extends Server {
  override write(...[context, req, res, status, body = '', headers = {}]: Parameters<Server['write']>): ReturnType<Server['write']> {
    if (status < 400) return super.write(context, req, res, status, body, headers);
    return super.write(context, req, res, status, JSON.stringify({ error: body.trim() || String(status) }), { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
  }
}

/** @tus/server (tus 1.0.0: core, creation, creation-with-upload, termination, expiration) on Cloudstash's store and locks. */
export function createTusServer(config: AppConfig, uploads: UploadsService, locks: SharedLocks): Server {
  const logger = new Logger('TusServer');
  return new JsonErrorsTusServer({
    path: UPLOADS_PATH,
    datastore: new CloudstashTusStore(uploads),
    locker: new SharedUploadLocker(locks),
    // An absolute Location (the ownCloud client cannot follow a relative one), with the scheme
    // and host the client used as Express reads them: behind a proxy, with TRUST_PROXY set, the
    // forwarded ones.
    generateUrl: (req, { path, id }) => {
      const { protocol, host } = req as Request;
      return `${protocol}://${host}${path}/${id}`;
    },
    namingFunction: () => uploads.newId(),
    onIncomingRequest: async (req, _res, id) => {
      const { user } = principalOf(req);
      if (req.method !== 'POST') await uploads.assertOwner(id, user.id);
    },
    onUploadCreate: async (req, res, upload) => {
      const { user } = principalOf(req);
      await uploads.create(user, { id: upload.id, length: upload.size ?? 0, metadata: upload.metadata ?? {} });
      return res;
    },
    onResponseError: (_req, _res, error) => {
      const exception = asException(error);
      // isNativeError: an error of Node's own sockets may come from another realm (jest's), where instanceof fails.
      if (!(exception instanceof HttpException) && !(exception instanceof Error) && !types.isNativeError(exception)) logger.error(`tus error: ${String(exception)}`);
      throw exception;
    },
    // tus answers `*` without a list, and the list's first entry to an origin not on it: the
    // app's CORS_ORIGINS, or "null", which matches no page's origin.
    allowedOrigins: config.corsOrigins.length > 0 ? [...config.corsOrigins] : ['null'],
  });
}
