import { Injectable } from '@nestjs/common';
import { PositiveIdPipe } from '../common/http/positive-id.pipe';
import { FILE_MESSAGES } from './files.constants';

/** `{n}` of `POST /files/{path}/versions/{n}/restore`: anything but a version number names no version. */
@Injectable()
export class VersionNumberPipe extends PositiveIdPipe {
  protected readonly notFound = FILE_MESSAGES.noSuchVersion;
}
