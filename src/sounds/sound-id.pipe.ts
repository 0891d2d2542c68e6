import { Injectable, NotFoundException, PipeTransform } from '@nestjs/common';
import { SOUND_MESSAGES } from './sounds.constants';

const MAX_ID = 2_147_483_647;

/** Sound ids in paths are positive integers that fit the id column; anything else names no sound (404). */
@Injectable()
export class SoundIdPipe implements PipeTransform<string, number> {
  transform(raw: string): number {
    const id = /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : NaN;
    if (!(id <= MAX_ID)) throw new NotFoundException({ error: SOUND_MESSAGES.notFound });
    return id;
  }
}
