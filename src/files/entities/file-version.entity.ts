import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber, INSTANT } from '../../database/column-types';

/** One upload of a file name: never overwritten, numbered from 1 per file. */
@Entity('file_versions')
@Index('uq_file_versions_file_version', ['fileId', 'version'], { unique: true })
export class FileVersion {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'file_id', type: 'int' })
  fileId!: number;

  @Column({ type: 'int' })
  version!: number;

  /** Unique: a blob belongs to one version (migration BlobKeys1768000000000). */
  @Index('uq_file_versions_blob_key', { unique: true })
  @Column({ name: 'blob_key', type: 'varchar', length: 255 })
  blobKey!: string;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  size!: number;

  @Column({ name: 'content_type', type: 'varchar', length: 255 })
  contentType!: string;

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ name: 'created_at', ...INSTANT })
  createdAt!: Date;
}
