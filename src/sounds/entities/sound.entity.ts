import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber, INSTANT } from '../../database/column-types';
import { User } from '../../users/user.entity';

@Entity('sounds')
export class Sound {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'owner_id', type: 'integer' })
  ownerId!: number;

  /** Loaded for listings, so that each sound shows its owner's name. */
  @ManyToOne(() => User, { onDelete: 'CASCADE', createForeignKeyConstraints: false })
  @JoinColumn({ name: 'owner_id' })
  owner?: User;

  @Column({ type: 'varchar', length: 255 })
  title!: string;

  /** The client's file name, shown only: uploads of one name are separate sounds. */
  @Column({ type: 'varchar', length: 255 })
  filename!: string;

  /** Recognised from the bytes, not taken from the client. */
  @Column({ name: 'content_type', type: 'varchar', length: 64 })
  contentType!: string;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  size!: number;

  /** Milliseconds, so that one integer column serves SQLite and MySQL; null when unknown. */
  @Column({ name: 'duration_ms', type: 'integer', nullable: true })
  durationMs!: number | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  artist!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  album!: string | null;

  @Index('ix_sounds_blob_key')
  @Column({ name: 'blob_key', type: 'varchar', length: 128 })
  blobKey!: string;

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ name: 'created_at', ...INSTANT })
  createdAt!: Date;
}
