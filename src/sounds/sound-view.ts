import { SoundDto } from './dto/sound.dto';
import { Sound } from './entities/sound.entity';
import { streamUrlOf } from './sounds.constants';

/** What the API shows of a sound: never its blob key. `sound.owner` must be loaded (its name suffices). */
export function toSoundView(sound: Omit<Sound, 'owner'> & { owner?: { username: string } }): SoundDto {
  return {
    id: sound.id,
    title: sound.title,
    filename: sound.filename,
    contentType: sound.contentType,
    size: sound.size,
    durationSeconds: sound.durationMs === null ? null : sound.durationMs / 1000,
    artist: sound.artist,
    album: sound.album,
    owner: { id: sound.ownerId, username: sound.owner?.username ?? '' },
    createdAt: sound.createdAt.toISOString(),
    streamUrl: streamUrlOf(sound.id),
  };
}
