import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { INSTANT } from '../../database/column-types';

/** A file its owner has shared with another user (S4). */
@Entity('file_shares')
@Index('uq_file_shares_file_user', ['fileId', 'userId'], { unique: true })
export class FileShare {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'file_id', type: 'int' })
  fileId!: number;

  /** The user the file is shared with. */
  @Index('ix_file_shares_user')
  @Column({ name: 'user_id', type: 'int' })
  userId!: number;

  @Column({ name: 'created_at', ...INSTANT })
  createdAt!: Date;
}
