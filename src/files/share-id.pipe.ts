import { Injectable } from '@nestjs/common';
import { PositiveIdPipe } from '../common/http/positive-id.pipe';
import { FILE_MESSAGES } from './files.constants';

/** `{fileId}` of `DELETE /shares/incoming/{fileId}`. */
@Injectable()
export class ShareIdPipe extends PositiveIdPipe {
  protected readonly notFound = FILE_MESSAGES.shareNotFound;
}
