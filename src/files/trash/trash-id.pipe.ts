import { Injectable } from '@nestjs/common';
import { PositiveIdPipe } from '../../common/http/positive-id.pipe';
import { TRASH_MESSAGES } from './trash.constants';

/** `{id}` of `/trash/{id}`. */
@Injectable()
export class TrashIdPipe extends PositiveIdPipe {
  protected readonly notFound = TRASH_MESSAGES.notFound;
}
