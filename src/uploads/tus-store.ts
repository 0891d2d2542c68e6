import { DataStore, ERRORS, Upload } from '@tus/utils';
import { Readable } from 'node:stream';
import { ResumableUpload } from './entities/resumable-upload.entity';
import { UploadsService } from './uploads.service';

/**
 * @tus/server's DataStore over UploadsService: the protocol stays in @tus/server, the rules and
 * the bytes in Cloudstash's services and blob store. The upload row is created by the server's
 * onUploadCreate hook, which knows the caller.
 */
export class CloudstashTusStore extends DataStore {
  constructor(private readonly uploads: UploadsService) {
    super();
    this.extensions = ['creation', 'creation-with-upload', 'termination', 'expiration'];
  }

  override async create(upload: Upload): Promise<Upload> {
    const row = await this.row(upload.id);
    upload.creation_date = this.expiryBase(row);
    return upload;
  }

  override write(stream: Readable, id: string): Promise<number> {
    return this.uploads.append(id, stream);
  }

  override async getUpload(id: string): Promise<Upload> {
    const row = await this.row(id);
    return new Upload({
      id,
      size: row.length,
      offset: row.finishedAt ? row.length : row.received,
      metadata: JSON.parse(row.metadata) as Record<string, string | null>,
      creation_date: this.expiryBase(row),
    });
  }

  override remove(id: string): Promise<void> {
    return this.uploads.remove(id);
  }

  override deleteExpired(): Promise<number> {
    return this.uploads.sweepExpired();
  }

  override getExpiration(): number {
    return this.uploads.expiryMs;
  }

  /**
   * @tus/server expires an upload getExpiration() after its creation_date; Cloudstash expires it
   * that long after its last byte, so it is told the time of the last byte.
   */
  private expiryBase(row: ResumableUpload): string {
    return new Date(row.expiresAt.getTime() - this.uploads.expiryMs).toISOString();
  }

  private async row(id: string): Promise<ResumableUpload> {
    const row = await this.uploads.current(id);
    // @tus/server answers its own error objects ({ status_code, body }), which are no Error instances.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (!row) throw ERRORS.FILE_NOT_FOUND;
    return row;
  }
}
