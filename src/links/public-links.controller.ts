import { Body, Controller, Get, HttpException, HttpStatus, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { Public } from '../auth/guards/access.decorators';
import { clientOf } from '../common/http/client-info';
import { ErrorDto } from '../common/dto/responses.dto';
import { toServedBlob } from '../files/file.mappers';
import { SERVED_FILE_HEADERS } from '../files/files.constants';
import { BlobResponder } from '../storage/blob-responder';
import { LinkPasswordDto } from './link.dto';
import { deadLinkPage, linkPage } from './link-page';
import { LinkPasswordError, LinksService, OpenedLink } from './links.service';

/** Whether the client would rather read a page than the bytes: a browser navigating to the link. */
function prefersPage(req: Request): boolean {
  return req.accepts(['application/octet-stream', 'text/html']) === 'text/html';
}

/** The statuses that say a link is dead: the service's one 404, or a 410. */
const DEAD_LINK_STATUSES: readonly number[] = [HttpStatus.NOT_FOUND, HttpStatus.GONE];

function isDeadLink(error: unknown): error is HttpException {
  return error instanceof HttpException && DEAD_LINK_STATUSES.includes(error.getStatus());
}

/** What anyone with a link's URL reaches (CONTRACT §8). */
@ApiTags('links')
@Controller('s')
@Public()
export class PublicLinksController {
  constructor(
    private readonly links: LinksService,
    private readonly responder: BlobResponder,
  ) {}

  @Get(':token')
  @ApiProduces('application/octet-stream', 'text/html')
  @ApiQuery({ name: 'download', required: false, description: 'present: the bytes, even for a browser' })
  @ApiOkResponse({ description: "the file's newest version, as an attachment (Range works; every byte sent, ranged or not, counts against maxDownloads); a browser gets a page with a download button" })
  @ApiResponse({ status: 401, type: ErrorDto, description: 'the link has a password: POST it' })
  @ApiResponse({ status: 404, type: ErrorDto, description: '{error: "Link not found"}: unknown, revoked, expired, used up, or its file deleted' })
  openLink(@Param('token') token: string, @Query('download') download: string | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.orDeadPage(req, res, async () => {
      if (download === undefined && prefersPage(req)) {
        const { link, file, version } = await this.links.peek(token);
        this.page(res, 200, linkPage({ action: req.baseUrl + req.path, name: file.name, size: version.size, needsPassword: link.passwordHash !== null }));
        return;
      }
      await this.send(req, res, await this.links.open(token, undefined, clientOf(req)));
    });
  }

  @Post(':token')
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiOkResponse({ description: 'the bytes, for the right password' })
  @ApiResponse({ status: 401, type: ErrorDto, description: 'wrong password (counted as a failed login)' })
  @ApiResponse({ status: 404, type: ErrorDto, description: '{error: "Link not found"}' })
  @ApiResponse({ status: 429, type: ErrorDto, description: 'too many wrong passwords from this client' })
  openLinkWithPassword(@Param('token') token: string, @Body() body: LinkPasswordDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.orDeadPage(req, res, async () => {
      let opened: OpenedLink;
      try {
        opened = await this.links.open(token, body.password, clientOf(req));
      } catch (error) {
        if (!(error instanceof LinkPasswordError) || !prefersPage(req)) throw error;
        const { file, version } = await this.links.peek(token);
        this.page(res, 401, linkPage({ action: req.baseUrl + req.path, name: file.name, size: version.size, needsPassword: true, error: error.reason }));
        return;
      }
      await this.send(req, res, opened);
    });
  }

  private send(req: Request, res: Response, { link, file, version }: OpenedLink): Promise<void> {
    return this.responder.send(req, res, toServedBlob(version), {
      source: 'files',
      headers: SERVED_FILE_HEADERS,
      disposition: { type: 'attachment', filename: file.name },
      admit: (body) => this.links.admitDownload(link, version.size, body),
    });
  }

  /**
   * A browser that opens a dead link reads a page saying so, with the status scripts get;
   * scripts keep the JSON answer from the exception filter.
   */
  private async orDeadPage(req: Request, res: Response, answer: () => Promise<void>): Promise<void> {
    try {
      await answer();
    } catch (error) {
      if (!isDeadLink(error) || !prefersPage(req) || res.headersSent) throw error;
      this.page(res, error.getStatus(), deadLinkPage());
    }
  }

  private page(res: Response, status: number, html: string): void {
    res.status(status).type('html').setHeader('Cache-Control', 'no-store');
    res.send(html);
  }
}
