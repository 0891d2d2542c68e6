import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { Authenticated, CurrentUser, Public } from '../auth/guards/access.decorators';
import { ErrorDto } from '../common/dto/responses.dto';
import { BlobResponder } from '../storage/blob-responder';
import { MultipartParts } from '../common/uploads/multipart-parts';
import { declaredLength, MultipartUploadInterceptor, UploadedParts } from '../common/uploads/upload.interceptor';
import { SessionUser } from '../users/user.entity';
import { ListSoundsQueryDto, SoundDto, SoundPageDto, UploadSoundDto } from './dto/sound.dto';
import { SOUND_MULTIPART, SOUND_STREAM_HEADERS } from './sounds.constants';
import { SoundIdPipe } from './sound-id.pipe';
import { SoundsService } from './sounds.service';

@ApiTags('sounds')
@Controller('sounds')
export class SoundsController {
  constructor(
    private readonly sounds: SoundsService,
    private readonly responder: BlobResponder,
  ) {}

  @Get()
  @Public()
  @ApiOkResponse({ type: SoundPageDto, description: 'newest first' })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'bad paging' })
  listSounds(@Query() query: ListSoundsQueryDto): Promise<SoundPageDto> {
    return this.sounds.list(query);
  }

  @Post()
  @Authenticated({ failure: 'sound' })
  @UseInterceptors(MultipartUploadInterceptor(SOUND_MULTIPART))
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadSoundDto })
  @ApiCreatedResponse({ type: SoundDto })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'no file part, or a malformed body' })
  @ApiResponse({ status: 413, type: ErrorDto, description: 'over MAX_UPLOAD_BYTES' })
  @ApiResponse({ status: 415, type: ErrorDto, description: 'the bytes are not MP3, WAV, OGG/Opus, FLAC, M4A/AAC or WebM' })
  @ApiResponse({ status: 507, type: ErrorDto, description: "over the user's storage quota (sounds count toward it)" })
  uploadSound(@CurrentUser() user: SessionUser, @UploadedParts() parts: MultipartParts, @Req() req: Request): Promise<SoundDto> {
    return this.sounds.upload(user, parts, declaredLength(req));
  }

  @Get(':id')
  @Public()
  @ApiOkResponse({ type: SoundDto })
  @ApiResponse({ status: 404, type: ErrorDto })
  getSound(@Param('id', SoundIdPipe) id: number): Promise<SoundDto> {
    return this.sounds.get(id);
  }

  @Get(':id/stream')
  @Public()
  @ApiHeader({ name: 'Range', required: false, description: 'one byte range, e.g. bytes=0-1023' })
  @ApiHeader({ name: 'If-None-Match', required: false })
  @ApiHeader({ name: 'If-Range', required: false })
  @ApiProduces('audio/*')
  @ApiOkResponse({ description: 'the audio bytes, with Content-Type, Content-Length, ETag (the sha256), Last-Modified, Accept-Ranges', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 206, description: 'the requested range (Range, honouring If-Range)', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 304, description: 'If-None-Match matched the ETag' })
  @ApiResponse({ status: 404, type: ErrorDto })
  @ApiResponse({ status: 416, type: ErrorDto, description: 'range past the end; Content-Range: bytes */size' })
  async streamSound(@Param('id', SoundIdPipe) id: number, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.responder.send(req, res, await this.sounds.findStream(id), { source: 'sounds', headers: SOUND_STREAM_HEADERS });
  }

  @Delete(':id')
  @Authenticated({ failure: 'sound' })
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'deleted, with its bytes' })
  @ApiResponse({ status: 404, type: ErrorDto })
  deleteSound(@CurrentUser() user: SessionUser, @Param('id', SoundIdPipe) id: number): Promise<void> {
    return this.sounds.delete(user, id);
  }
}
