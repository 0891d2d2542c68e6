import { Injectable } from '@nestjs/common';
import { PositiveIdPipe } from '../common/http/positive-id.pipe';
import { LINK_MESSAGES } from './links.constants';

/** `{id}` of `/links/{id}`. */
@Injectable()
export class LinkIdPipe extends PositiveIdPipe {
  protected readonly notFound = LINK_MESSAGES.ownLinkNotFound;
}
