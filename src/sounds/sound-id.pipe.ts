import { Injectable } from '@nestjs/common';
import { PositiveIdPipe } from '../common/http/positive-id.pipe';
import { SOUND_MESSAGES } from './sounds.constants';

/** `{id}` of the sound routes. */
@Injectable()
export class SoundIdPipe extends PositiveIdPipe {
  protected readonly notFound = SOUND_MESSAGES.notFound;
}
