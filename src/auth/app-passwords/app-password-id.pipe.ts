import { Injectable } from '@nestjs/common';
import { PositiveIdPipe } from '../../common/http/positive-id.pipe';
import { AUTH_MESSAGES } from '../auth.constants';

/** `{id}` of `DELETE /auth/app-passwords/{id}`. */
@Injectable()
export class AppPasswordIdPipe extends PositiveIdPipe {
  protected readonly notFound = AUTH_MESSAGES.appPasswordNotFound;
}
