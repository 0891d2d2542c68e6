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
import { ServedBlob } from '../common/http/blob-responder';
import { UploadPart } from '../common/uploads/multipart-parts';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MetricsService } from '../observability/metrics.service';
import { BlobStore, BlobTooLargeError } from '../storage/blob-store';
import { UserDeletionHooks } from '../users/user-deletion-hooks';
import { User } from '../users/user.entity';
import { UsersRepository } from '../users/users.repository';
import { AudioTags, NO_TAGS, readAudioTags } from './audio-metadata';
import { AudioFormat, AudioSniffer, NotAudioError } from './audio-sniffer';
import { ListSoundsQueryDto, SoundDto, SoundPageDto } from './dto/sound.dto';
import { MAX_TITLE_LENGTH, SOUND_MESSAGES, SOUND_TITLE_FIELD } from './sounds.constants';
import { SoundsRepository } from './sounds.repository';
import { toSoundView } from './sound-view';

/** An audio part that is safely in the blob store, not yet recorded. */
interface ReceivedAudio {
  key: string;
  filename: string;
  format: AudioFormat;
  size: number;
  sha256: string;
}

/** A sound upload as the multipart interceptor hands it over: file parts as they arrive, then the fields. */
export interface SoundUpload extends AsyncIterable<UploadPart> {
  /** Complete once the parts have been iterated to the end. */
  readonly fields: ReadonlyMap<string, string>;
}

/** Control characters and path separators never reach the database or a header. */
function cleanFilename(raw: string): string {
  const name = raw.replace(/[\u0000-\u001f\u007f]/g, '').replace(/^.*[\\/]/, '').trim();
  return (name || 'sound').slice(0, 255);
}

@Injectable()
export class SoundsService implements OnModuleInit {
  private readonly logger = new Logger(SoundsService.name);

  constructor(
    private readonly sounds: SoundsRepository,
    private readonly users: UsersRepository,
    private readonly blobs: BlobStore,
    private readonly deletionHooks: UserDeletionHooks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.deletionHooks.register((user) => this.deleteAllOf(user));
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
   * The first `file` part goes straight into the blob store through the audio sniffer, so a
   * non-audio upload stops at its first bytes and leaves no blob behind.
   */
  async upload(user: User, upload: SoundUpload): Promise<SoundDto> {
    let key: string | undefined;
    const uploadFinished = this.metrics.uploadStarted();
    try {
      let received: ReceivedAudio | undefined;
      for await (const part of upload) {
        if (key !== undefined) {
          // One sound per request; other file parts are read and dropped.
          part.stream.resume();
          continue;
        }
        key = this.blobs.newKey();
        received = await this.receiveAudio(key, part);
      }
      if (!received) throw new BadRequestException({ error: SOUND_MESSAGES.noFile });
      // Read after the last part: the title may follow the file in the body.
      const title = (upload.fields.get(SOUND_TITLE_FIELD) ?? '').trim() || received.filename;
      if (title.length > MAX_TITLE_LENGTH) throw new BadRequestException({ error: SOUND_MESSAGES.titleTooLong });
      const tags = await this.readTags(received);
      const sound = await this.sounds.insert({
        ownerId: user.id,
        title,
        filename: received.filename,
        contentType: received.format.contentType,
        size: received.size,
        durationMs: tags.durationSeconds === null ? null : Math.round(tags.durationSeconds * 1000),
        artist: tags.artist,
        album: tags.album,
        blobKey: received.key,
        sha256: received.sha256,
      });
      key = undefined;
      this.metrics.bytesUploaded(received.size, 'sounds');
      return toSoundView({ ...sound, owner: user });
    } catch (error) {
      if (key !== undefined) await this.deleteBlob(key);
      throw this.uploadFailure(error);
    } finally {
      uploadFinished();
    }
  }

  /** The sound's bytes, for `GET /sounds/{id}/stream`. */
  async findStream(id: number): Promise<ServedBlob> {
    const sound = await this.findOrFail(id);
    return { key: sound.blobKey, size: sound.size, contentType: sound.contentType, sha256: sound.sha256, lastModified: sound.createdAt };
  }

  async delete(user: User, id: number): Promise<void> {
    const sound = await this.findOrFail(id);
    if (sound.ownerId !== user.id && user.role !== 'admin') throw new ForbiddenException({ error: SOUND_MESSAGES.notYours });
    // The row goes first: a blob whose delete fails is an orphan to sweep, never a sound without bytes.
    if (await this.sounds.delete(sound.id)) await this.deleteBlob(sound.blobKey);
  }

  private async deleteAllOf(user: User): Promise<void> {
    const keys = await this.sounds.blobKeysOfOwner(user.id);
    await this.sounds.deleteAllOfOwner(user.id);
    for (const key of keys) await this.deleteBlob(key);
  }

  private async findOrFail(id: number) {
    const sound = await this.sounds.findWithOwner(id);
    if (!sound) throw new NotFoundException({ error: SOUND_MESSAGES.notFound });
    return sound;
  }

  private async receiveAudio(key: string, part: UploadPart): Promise<ReceivedAudio> {
    const sniffer = new AudioSniffer();
    part.stream.on('error', (error) => sniffer.destroy(error));
    part.stream.pipe(sniffer);
    try {
      const { size, sha256 } = await this.blobs.write(key, sniffer, { maxBytes: this.config.maxUploadBytes });
      // A write that ended cleanly has passed the sniffer, which fails on anything but audio.
      return { key, filename: cleanFilename(part.filename), format: sniffer.format as AudioFormat, size, sha256 };
    } catch (error) {
      sniffer.destroy();
      throw error;
    }
  }

  /** Tags are a nicety: a file the parser cannot read is still a sound, with no duration. */
  private async readTags(audio: ReceivedAudio): Promise<AudioTags> {
    let stream: Readable | undefined;
    try {
      stream = await this.blobs.read(audio.key);
      return await readAudioTags(stream, audio.format.contentType, audio.size);
    } catch (error) {
      this.logger.warn(`no tags for ${audio.format.name} upload: ${(error as Error).message}`);
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
    if (error instanceof BlobTooLargeError) return new PayloadTooLargeException({ error: SOUND_MESSAGES.tooLarge(this.config.maxUploadBytes) });
    return error;
  }
}
