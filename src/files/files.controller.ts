import { Body, Controller, Delete, Get, Head, HttpCode, Param, Post, Put, Query, Req, Res, UseInterceptors, applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiParam, ApiProduces, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { Authenticated, CurrentUser } from '../auth/guards/access.decorators';
import { ErrorDto } from '../common/dto/responses.dto';
import { BlobResponder, Disposition } from '../storage/blob-responder';
import { MultipartParts } from '../common/uploads/multipart-parts';
import { declaredLength, MultipartUploadInterceptor, RawUploadInterceptor, UploadedParts } from '../common/uploads/upload.interceptor';
import { SessionUser } from '../users/user.entity';
import { FileIdDto, FileListWithSharedDto, FileVersionDto, FileVersionQuery, ListFilesQuery, StoredFileVersionDto, UploadResultDto } from './dto/file.dto';
import { DownloadFileDto } from './dto/share.dto';
import { ApiTreePath, TreePathPipe } from './folders/tree-path.pipe';
import { TreePath } from './folders/tree-path';
import { FileRead, FilesService, VersionsOrFile } from './files.service';
import { toServedBlob } from './file.mappers';
import { SERVED_FILE_HEADERS, UPLOAD_MULTIPART } from './files.constants';
import { VersionNumberPipe } from './version-number.pipe';

/** What a route that serves a file's bytes answers, documented once for GET and POST /download. */
const FileBytesDocs = (): MethodDecorator =>
  applyDecorators(
  ApiProduces('application/octet-stream'),
  ApiOkResponse({
    description: 'the bytes, with Content-Type as uploaded, Content-Length, ETag (the sha256), Last-Modified, Accept-Ranges, X-Content-Type-Options: nosniff, Content-Security-Policy: sandbox',
    schema: { type: 'string', format: 'binary' },
  }),
  ApiResponse({ status: 206, description: 'the requested byte range (Range, honouring If-Range)' }),
  ApiResponse({ status: 304, description: 'If-None-Match matched the ETag' }),
  ApiResponse({ status: 416, type: ErrorDto, description: 'the range lies outside the file' }),
  ApiHeader({ name: 'Range', required: false, description: 'bytes=start-end' }),
  ApiHeader({ name: 'If-None-Match', required: false }),
  ApiHeader({ name: 'If-Range', required: false }),
  );

/** S0's file routes and S4's upload and download. */
@ApiTags('files')
@Controller()
@Authenticated({ failure: 'storage' })
@ApiExtraModels(FileListWithSharedDto)
export class FilesController {
  constructor(
    private readonly files: FilesService,
    private readonly responder: BlobResponder,
  ) {}

  @Put('files/*path')
  @ApiTreePath()
  @HttpCode(201)
  @UseInterceptors(RawUploadInterceptor)
  @ApiConsumes('application/octet-stream', '*/*')
  @ApiBody({ description: 'the file bytes, streamed; Content-Type is stored with them', schema: { type: 'string', format: 'binary' } })
  @ApiCreatedResponse({ type: StoredFileVersionDto, description: 'stored as a new version; missing parent folders are created; Location: /files/<url-encoded path>' })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad file name' })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'a parent is a file, or the path is a folder' })
  @ApiResponse({ status: 413, type: ErrorDto, description: 'over MAX_UPLOAD_BYTES' })
  @ApiResponse({ status: 507, type: ErrorDto, description: "over the user's storage quota" })
  async uploadFile(@CurrentUser() user: SessionUser, @Param('path', TreePathPipe) path: TreePath, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<StoredFileVersionDto> {
    const stored = await this.files.putFile(user, path, { stream: req, contentType: req.headers['content-type'], size: declaredLength(req) });
    res.setHeader('Location', FilesService.location(path));
    return stored;
  }

  // S4's POST /share and POST /download take file ids; people (and the web page) know paths.
  // Declared before GET files/*path, which would otherwise take these paths as files.
  @Get('files/*path/id')
  @ApiTreePath()
  @ApiProduces('application/json', 'application/octet-stream')
  @ApiOkResponse({ type: FileIdDto, description: "the id of one of the caller's own files (when {path} is a folder, the file named `id` in it)" })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad file name' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'the caller has no file at that path' })
  async getFileId(@CurrentUser() user: SessionUser, @Param('path', TreePathPipe) path: TreePath, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.answerOrServe(req, res, await this.files.aboutFileOrFile(user, path, 'id', (p) => this.files.findOwnFileId(user, p)));
  }

  @Get('files/*path/versions')
  @ApiTreePath()
  @ApiProduces('application/json', 'application/octet-stream')
  @ApiOkResponse({ type: [FileVersionDto], description: 'newest first (when {path} is a folder, the file named `versions` in it)' })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad file name' })
  @ApiResponse({ status: 404, type: ErrorDto })
  async listFileVersions(@CurrentUser() user: SessionUser, @Param('path', TreePathPipe) path: TreePath, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.answerOrServe(req, res, await this.files.aboutFileOrFile(user, path, 'versions', (p) => this.files.listVersions(user, p)));
  }

  @Post('files/*path/versions/:version/restore')
  @ApiTreePath()
  @ApiParam({ name: 'version', description: 'the version whose bytes become the newest version', schema: { type: 'integer', minimum: 1 } })
  @HttpCode(201)
  @ApiCreatedResponse({ type: StoredFileVersionDto, description: "a new newest version with that version's bytes; Location: /files/<url-encoded path>" })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad file name' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'no such file or version' })
  @ApiResponse({ status: 413, type: ErrorDto, description: 'over MAX_UPLOAD_BYTES' })
  @ApiResponse({ status: 507, type: ErrorDto, description: "over the user's storage quota" })
  async restoreVersion(
    @CurrentUser() user: SessionUser,
    @Param('path', TreePathPipe) path: TreePath,
    @Param('version', VersionNumberPipe) version: number,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StoredFileVersionDto> {
    const stored = await this.files.restoreVersion(user, path, version);
    res.setHeader('Location', FilesService.location(path));
    return stored;
  }

  // Declared before the GET: Express would otherwise answer HEAD with the GET handler.
  @Head('files/*path')
  @ApiTreePath()
  @ApiOkResponse({ description: 'the headers of the GET, no body' })
  @ApiResponse({ status: 400, description: 'bad file name or version' })
  @ApiResponse({ status: 404, description: 'no such file or version' })
  async headFile(@CurrentUser() user: SessionUser, @Param('path', TreePathPipe) path: TreePath, @Query() query: FileVersionQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.serve(req, res, await this.files.findOwnVersion(user, path, query.version), 'inline');
  }

  @Get('files/*path')
  @ApiTreePath()
  @FileBytesDocs()
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad file name or version' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'no such file or version' })
  async downloadFile(@CurrentUser() user: SessionUser, @Param('path', TreePathPipe) path: TreePath, @Query() query: FileVersionQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.serve(req, res, await this.files.findOwnVersion(user, path, query.version), 'inline');
  }

  @Delete('files/*path')
  @ApiTreePath()
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'removed with all its versions, or only `?version=N`' })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad file name or version' })
  @ApiResponse({ status: 404, type: ErrorDto })
  deleteFile(@CurrentUser() user: SessionUser, @Param('path', TreePathPipe) path: TreePath, @Query() query: FileVersionQuery): Promise<void> {
    return this.files.deleteFile(user, path, query.version);
  }

  @Get('files')
  @ApiOkResponse({
    description: 'the names in your root folder, sorted, folders with a trailing `/`; with `include=shared`, `{your_files, shared_files}` (S4)',
    schema: { oneOf: [{ type: 'array', items: { type: 'string' } }, { $ref: getSchemaPath(FileListWithSharedDto) }] },
  })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad include' })
  listFiles(@CurrentUser() user: SessionUser, @Query() query: ListFilesQuery): Promise<string[] | FileListWithSharedDto> {
    return query.include === 'shared' ? this.files.listNamesWithShared(user) : this.files.listNames(user);
  }

  @Post('upload')
  @HttpCode(201)
  @UseInterceptors(MultipartUploadInterceptor(UPLOAD_MULTIPART))
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description: 'one or more parts named `file`; each is stored as PUT /files/{its filename} would',
    schema: { type: 'object', required: ['file'], properties: { file: { type: 'array', items: { type: 'string', format: 'binary' } } } },
  })
  @ApiCreatedResponse({ type: UploadResultDto })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'no file part, bad file name, or not multipart' })
  @ApiResponse({ status: 413, type: ErrorDto, description: 'a file over MAX_UPLOAD_BYTES' })
  @ApiResponse({ status: 507, type: ErrorDto, description: "over the user's storage quota" })
  uploadFiles(@CurrentUser() user: SessionUser, @UploadedParts() parts: MultipartParts, @Req() req: Request): Promise<UploadResultDto> {
    return this.files.uploadParts(user, parts, declaredLength(req));
  }

  @Post('download')
  @HttpCode(200)
  @FileBytesDocs()
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad file_id' })
  @ApiResponse({ status: 404, type: ErrorDto, description: '{error: "File not belong to user"}: neither yours nor shared with you' })
  async downloadSharedFile(@CurrentUser() user: SessionUser, @Body() body: DownloadFileDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.serve(req, res, await this.files.findReadableLatest(user, body.file_id), 'attachment');
  }

  private async answerOrServe<T>(req: Request, res: Response, target: VersionsOrFile<T>): Promise<void> {
    if ('file' in target) await this.serve(req, res, target.file, 'inline');
    else res.json(target.answer);
  }

  /** Every path that serves a version's bytes answers with the same headers (CONTRACT §3). */
  private serve(req: Request, res: Response, { file, version }: FileRead, disposition: Disposition): Promise<void> {
    return this.responder.send(req, res, toServedBlob(version), { source: 'files', headers: SERVED_FILE_HEADERS, disposition: { type: disposition, filename: file.name } });
  }
}
