import { Readable } from 'node:stream';
import {
  BadRequestException,
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  OnModuleInit,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ServedBlob } from '../storage/blob-responder';
import { UploadPart } from '../common/uploads/multipart-parts';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { unavailableDependency } from '../availability/dependency-errors';
import { BlobHolders } from '../files/blob-holders';
import { FileUploadService, HeldUpload } from '../files/file-upload.service';
import { BlobStore } from '../storage/blob-store';
import { SessionUser } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { AudioTags, NO_TAGS, readAudioTags } from './audio-metadata';
import { AudioFormat, AudioSniffer, NotAudioError } from './audio-sniffer';
import { ListSoundsQueryDto, SoundDto, SoundPageDto } from './dto/sound.dto';
import { MAX_TITLE_LENGTH, SOUND_MESSAGES, SOUND_TITLE_FIELD } from './sounds.constants';
import { SoundsRepository } from './sounds.repository';
import { toSoundView } from './sound-view';

/** A sound upload as the multipart interceptor hands it over: file parts as they arrive, then the fields. */
export interface SoundUpload extends AsyncIterable<UploadPart> {
  /** Complete once the parts have been iterated to the end. */
  readonly fields: ReadonlyMap<string, string>;
}

/** Control characters and path separators never reach the database or a header. */
function cleanFilename(raw: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const name = raw.replace(/[\u0000-\u001f\u007f]/g, '').replace(/^.*[\\/]/, '').trim();
  return (name || 'sound').slice(0, 255);
}

/**
 * No codec stores sound in fewer bytes than this per second (Opus's floor is 6 kbit/s, FLAC's
 * silence ~1 kbit/s): a "duration" far beyond what the bytes could hold comes from a header
 * filled with junk (a FLAC STREAMINFO of 0x55 bytes claims 18 hours in 256 bytes).
 */
const MIN_BYTES_PER_SECOND = 16;

function isPlausibleAudio(tags: AudioTags, size: number): boolean {
  const seconds = tags.durationSeconds;
  return seconds !== null && seconds > 0 && size / seconds >= MIN_BYTES_PER_SECOND;
}

@Injectable()
export class SoundsService implements OnModuleInit {
  private readonly logger = new Logger(SoundsService.name);

  constructor(
    private readonly sounds: SoundsRepository,
    private readonly users: UsersService,
    private readonly blobs: BlobStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uploads: FileUploadService,
    private readonly holders: BlobHolders,
  ) {}

  onModuleInit(): void {
    this.users.onDeletion((user) => this.deleteAllOf(user));
    // Sounds are the owner's stored bytes too: the quota, bytesStored and the sweeper see them.
    this.holders.register({ bytesByOwner: (ids) => this.sounds.bytesByOwner(ids), blobKeysIn: (keys) => this.sounds.blobKeysIn(keys) });
  }

  async list(query: ListSoundsQueryDto): Promise<SoundPageDto> {
    let ownerId: number | undefined;
    if (query.owner !== undefined) {
      const owner = await this.users.findByUsername(query.owner);
      if (!owner) return { items: [], total: 0 };
      ownerId = owner.id;
    }
    const [sounds, total] = await this.sounds.page(query.offset, query.limit, ownerId);
    return { items: sounds.map(toSoundView), total };
  }

  async get(id: number): Promise<SoundDto> {
    return toSoundView(await this.findOrFail(id));
  }

  /**
   * Through the Files module's upload pipeline (limits, quota reservation, metrics, sweeper): the
   * first `file` part streams into the blob store through the audio sniffer, so anything that
   * does not even start like audio stops at its first bytes. It becomes a sound only when
   * music-metadata finds a stream with a duration in the stored bytes (CONTRACT §11); else 415
   * and nothing is kept.
   */
  async upload(user: SessionUser, upload: SoundUpload, atMost?: number): Promise<SoundDto> {
    let held: HeldUpload | undefined;
    let filename = '';
    let format: AudioFormat | undefined;
    try {
      for await (const part of upload) {
        if (held !== undefined) {
          // One sound per request; other file parts are read and dropped.
          part.stream.resume();
          continue;
        }
        const sniffer = new AudioSniffer();
        part.stream.on('error', (error) => sniffer.destroy(error));
        part.stream.pipe(sniffer);
        try {
          held = await this.uploads.receive(user, { stream: sniffer, contentType: undefined, atMost }, { source: 'sounds' });
        } catch (error) {
          sniffer.destroy();
          throw error;
        }
        // A write that ended cleanly has passed the sniffer, which fails on anything but audio.
        format = sniffer.format as AudioFormat;
        filename = cleanFilename(part.filename);
      }
      if (!held || !format) throw new BadRequestException({ error: SOUND_MESSAGES.noFile });
      // Read after the last part: the title may follow the file in the body.
      const title = (upload.fields.get(SOUND_TITLE_FIELD) ?? '').trim() || filename;
      if (title.length > MAX_TITLE_LENGTH) throw new BadRequestException({ error: SOUND_MESSAGES.titleTooLong });
      const tags = await this.readTags(held, format);
      if (!isPlausibleAudio(tags, held.size)) throw new NotAudioError();
      const blob = held;
      const contentType = format.contentType;
      const sound = await blob.commit(() =>
        this.sounds.insert({
          ownerId: user.id,
          title,
          filename,
          contentType,
          size: blob.size,
          durationMs: Math.round((tags.durationSeconds as number) * 1000),
          artist: tags.artist,
          album: tags.album,
          blobKey: blob.key,
          sha256: blob.sha256,
        }),
      );
      return toSoundView({ ...sound, owner: user });
    } catch (error) {
      await held?.discard();
      throw this.uploadFailure(error);
    }
  }

  /** The sound's bytes, for `GET /sounds/{id}/stream`. */
  async findStream(id: number): Promise<ServedBlob> {
    const sound = await this.findOrFail(id);
    return { key: sound.blobKey, size: sound.size, contentType: sound.contentType, sha256: sound.sha256, lastModified: sound.createdAt };
  }

  async delete(user: SessionUser, id: number): Promise<void> {
    const sound = await this.findOrFail(id);
    if (sound.ownerId !== user.id && user.role !== 'admin') throw new ForbiddenException({ error: SOUND_MESSAGES.notYours });
    // The row goes first: a blob whose delete fails is an orphan to sweep, never a sound without bytes.
    if (await this.sounds.delete(sound.id)) await this.deleteBlob(sound.blobKey);
  }

  private async deleteAllOf(user: SessionUser): Promise<void> {
    const keys = await this.sounds.blobKeysOfOwner(user.id);
    await this.sounds.deleteAllOfOwner(user.id);
    for (const key of keys) await this.deleteBlob(key);
  }

  private async findOrFail(id: number) {
    const sound = await this.sounds.findWithOwner(id);
    if (!sound) throw new NotFoundException({ error: SOUND_MESSAGES.notFound });
    return sound;
  }

  /** Duration and tags from the stored bytes; a file the parser cannot read has none. */
  private async readTags(blob: HeldUpload, format: AudioFormat): Promise<AudioTags> {
    let stream: Readable | undefined;
    try {
      stream = await this.blobs.read(blob.key);
      return await readAudioTags(stream, format.contentType, blob.size);
    } catch (error) {
      if (unavailableDependency(error)) throw error;
      this.logger.warn(`no tags for ${format.name} upload: ${(error as Error).message}`);
      return NO_TAGS;
    } finally {
      stream?.destroy();
    }
  }

  private async deleteBlob(key: string): Promise<void> {
    try {
      await this.blobs.delete(key);
    } catch (error) {
      this.logger.error(`could not delete blob ${key}: ${(error as Error).message}`);
    }
  }

  private uploadFailure(error: unknown): unknown {
    if (error instanceof NotAudioError) return new UnsupportedMediaTypeException({ error: SOUND_MESSAGES.notAudio });
    // The pipeline's 413 with the Sounds module's words; its 507 (quota) passes as it is.
    if (error instanceof PayloadTooLargeException) return new PayloadTooLargeException({ error: SOUND_MESSAGES.tooLarge(this.config.maxUploadBytes) });
    return error;
  }
}
