import { Controller, Delete, Head, Options, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Server } from '@tus/server';
import { Request, Response } from 'express';
import { Authenticated, Public } from '../auth/guards/access.decorators';

/** `/uploads`, `/uploads/` and `/uploads/{id}`. */
const UPLOAD_PATHS = ['uploads', 'uploads/', 'uploads/*id'];

/**
 * tus 1.0.0 (CONTRACT §7), spoken by @tus/server; the global guard has verified the caller
 * (every credential carrier, Basic included) before a request reaches it.
 */
@ApiExcludeController()
@Controller()
export class UploadsController {
  constructor(private readonly tus: Server) {}

  /**
   * @tus/server would take `X-HTTP-Method-Override` as the method: a HEAD, which the guard and
   * the cross-site rule treat as safe, could then delete. The method is the one routed here.
   */
  private async handle(req: Request, res: Response): Promise<void> {
    delete req.headers['x-http-method-override'];
    await this.tus.handle(req, res);
  }

  /** Capability discovery (Tus-Version, Tus-Extension, Tus-Max-Size) and CORS preflights need no credential. */
  @Options(UPLOAD_PATHS)
  @Public()
  async discover(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.handle(req, res);
  }

  // A route per method, not @All: the app tells routes from middleware by their method list (405s, 404s).
  @Post(UPLOAD_PATHS)
  @Authenticated({ failure: 'storage' })
  async create(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.handle(req, res);
  }

  @Head(UPLOAD_PATHS)
  @Authenticated({ failure: 'storage' })
  async offset(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.handle(req, res);
  }

  @Patch(UPLOAD_PATHS)
  @Authenticated({ failure: 'storage' })
  async append(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.handle(req, res);
  }

  @Delete(UPLOAD_PATHS)
  @Authenticated({ failure: 'storage' })
  async terminate(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.handle(req, res);
  }
}
