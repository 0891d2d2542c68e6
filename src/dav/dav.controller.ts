import { Controller, Delete, Get, Head, Options, Param, Put, Req, Res, Copy, Lock, Mkcol, Move, Propfind, Proppatch, Unlock, PayloadTooLargeException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Authenticated, CurrentUser } from '../auth/guards/access.decorators';
import { declaredLength } from '../common/uploads/upload.interceptor';
import { toServedBlob } from '../files/file.mappers';
import { SERVED_FILE_HEADERS } from '../files/files.constants';
import { parseTreePath } from '../files/folders/tree-path';
import { BlobResponder } from '../storage/blob-responder';
import { SessionUser } from '../users/user.entity';
import { DAV_MESSAGES, DAV_XML_BODY_LIMIT } from './dav.constants';
import { DavAnswer, DavRequest, DavService } from './dav.service';

/** `/dav`, `/dav/` and everything below: the caller's root folder. */
const DAV_PATHS = ['dav', 'dav/', 'dav/*path'];

/** A request's XML body (PROPFIND, PROPPATCH, LOCK): small, so read whole, up to a limit. */
async function xmlBody(req: Request): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > DAV_XML_BODY_LIMIT) throw new PayloadTooLargeException({ error: DAV_MESSAGES.bodyTooLarge });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function hasBody(req: Request): boolean {
  return (declaredLength(req) ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

/**
 * WebDAV (CONTRACT §6) with NestJS's own WebDAV method decorators. Each handler parses and
 * hands over to the DavService; answers are written here. Credentials as everywhere, plus the
 * Basic challenge that WebDAV clients wait for.
 */
@ApiExcludeController()
@Controller()
@Authenticated({ failure: 'basic' })
export class DavController {
  constructor(
    private readonly dav: DavService,
    private readonly responder: BlobResponder,
  ) {}

  @Options(DAV_PATHS)
  async davOptions(@Res() res: Response): Promise<void> {
    await this.send(res, this.dav.options());
  }

  @Propfind(DAV_PATHS)
  async davPropfind(@CurrentUser() user: SessionUser, @Param('path') path: string[] | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.send(res, await this.dav.propfind(this.request(user, path, req), await xmlBody(req)));
  }

  @Proppatch(DAV_PATHS)
  async davProppatch(@CurrentUser() user: SessionUser, @Param('path') path: string[] | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.send(res, await this.dav.proppatch(this.request(user, path, req), await xmlBody(req)));
  }

  @Mkcol(DAV_PATHS)
  async davMkcol(@CurrentUser() user: SessionUser, @Param('path') path: string[] | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.send(res, await this.dav.mkcol(this.request(user, path, req), hasBody(req)));
  }

  // Declared before the GET: Express would otherwise answer HEAD with the GET handler.
  @Head(DAV_PATHS)
  async davHead(@CurrentUser() user: SessionUser, @Param('path') path: string[] | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.serve(this.request(user, path, req), req, res);
  }

  @Get(DAV_PATHS)
  async davGet(@CurrentUser() user: SessionUser, @Param('path') path: string[] | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.serve(this.request(user, path, req), req, res);
  }

  @Put(DAV_PATHS)
  async davPut(@CurrentUser() user: SessionUser, @Param('path') path: string[] | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.send(res, await this.dav.put(this.request(user, path, req), req, declaredLength(req), req.path.endsWith('/')));
  }

  @Delete(DAV_PATHS)
  async davDelete(@CurrentUser() user: SessionUser, @Param('path') path: string[] | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.send(res, await this.dav.delete(this.request(user, path, req)));
  }

  @Copy(DAV_PATHS)
  async davCopy(@CurrentUser() user: SessionUser, @Param('path') path: string[] | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.send(res, await this.dav.copyOrMove(this.request(user, path, req), false));
  }

  @Move(DAV_PATHS)
  async davMove(@CurrentUser() user: SessionUser, @Param('path') path: string[] | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.send(res, await this.dav.copyOrMove(this.request(user, path, req), true));
  }

  @Lock(DAV_PATHS)
  async davLock(@CurrentUser() user: SessionUser, @Param('path') path: string[] | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.send(res, await this.dav.lock(this.request(user, path, req), await xmlBody(req)));
  }

  @Unlock(DAV_PATHS)
  async davUnlock(@CurrentUser() user: SessionUser, @Param('path') path: string[] | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.send(res, await this.dav.unlock(this.request(user, path, req)));
  }

  /** The wildcard's names (URL-decoded one by one), without the empty one a trailing `/` leaves. */
  private request(user: SessionUser, raw: string[] | undefined, req: Request): DavRequest {
    const names = (raw ?? []).filter((name, i, all) => !(name === '' && i === all.length - 1));
    return { user, path: parseTreePath(names), headers: req.headers, host: req.host };
  }

  private async serve(request: DavRequest, req: Request, res: Response): Promise<void> {
    const node = await this.dav.resolve(request);
    if (node.kind === 'folder') {
      await this.send(res, await this.dav.folderListing(request, node.id));
      return;
    }
    await this.responder.send(req, res, toServedBlob(node.latest), { source: 'files', headers: SERVED_FILE_HEADERS, disposition: { type: 'inline', filename: node.file.name } });
  }

  private async send(res: Response, answer: DavAnswer): Promise<void> {
    res.status(answer.status);
    for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
    if (answer.stream) {
      res.setHeader('Content-Type', answer.contentType ?? 'application/xml; charset=utf-8');
      // Written as it is made, at the pace the client reads; a failure once it has begun can
      // only cut the answer (pipeline destroys the response).
      await pipeline(Readable.from(answer.stream), res).catch((error: unknown) => {
        if (!res.headersSent) throw error;
      });
      return;
    }
    if (answer.body === undefined) {
      res.setHeader('Content-Length', '0');
      res.end();
      return;
    }
    res.setHeader('Content-Type', answer.contentType ?? 'application/xml; charset=utf-8');
    res.end(answer.body);
  }
}
