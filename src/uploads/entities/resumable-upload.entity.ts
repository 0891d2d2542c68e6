import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintToNumber, INSTANT } from '../../database/column-types';

/**
 * One tus upload (CONTRACT §7). Its offset and the blob store's state of its bytes live here, so
 * that any instance can take its next PATCH; its quota is held by an upload reservation row.
 */
@Entity('resumable_uploads')
export class ResumableUpload {
  /** 128 random bits as hex: the last segment of the upload URL. */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id!: string;

  @Index('ix_resumable_uploads_owner')
  @Column({ name: 'owner_id', type: 'int' })
  ownerId!: number;

  /** Where the file goes: the `filename` metadata as a path, names joined by `/`. */
  @Column({ type: 'text' })
  path!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 255 })
  contentType!: string;

  /** The client's Upload-Metadata, given back on HEAD (JSON). */
  @Column({ type: 'text' })
  metadata!: string;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  length!: number;

  /** The offset: bytes received and stored (in the page cache, for local disk). */
  @Column({ type: 'bigint', transformer: bigintToNumber })
  received!: number;

  /** Of those, the bytes known to survive an operating system crash; a restarted instance goes back to here. */
  @Column({ type: 'bigint', transformer: bigintToNumber })
  durable!: number;

  /** The key the finished blob gets; the reservation row names it too. */
  @Index('ix_resumable_uploads_blob_key')
  @Column({ name: 'blob_key', type: 'varchar', length: 32 })
  blobKey!: string;

  /** The blob store's record of the bytes so far (ResumableState); null until the store began it. */
  @Column({ name: 'storage_state', type: 'text', nullable: true })
  storageState!: string | null;

  @Column({ name: 'reservation_id', type: 'int', nullable: true })
  reservationId!: number | null;

  @Column({ name: 'created_at', ...INSTANT })
  createdAt!: Date;

  /** When the last byte arrived (or the upload was created). */
  @Column({ name: 'active_at', ...INSTANT })
  activeAt!: Date;

  /** UPLOAD_EXPIRY after activeAt: the sweeper removes the upload then. */
  @Index('ix_resumable_uploads_expires')
  @Column({ name: 'expires_at', ...INSTANT })
  expiresAt!: Date;

  /** Set once the upload became a file version; HEAD then reports it complete until it expires. */
  @Column({ name: 'finished_at', ...INSTANT, nullable: true })
  finishedAt!: Date | null;
}
