import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { INSTANT } from '../../database/column-types';

/** A password for one sync client (CONTRACT §2), stored only as the SHA-256 of its random secret. */
@Entity('app_passwords')
export class AppPassword {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('ix_app_passwords_user')
  @Column({ name: 'user_id', type: 'int' })
  userId!: number;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Index('uq_app_passwords_secret', { unique: true })
  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash!: string;

  @Column({ name: 'created_at', ...INSTANT })
  createdAt!: Date;

  @Column({ name: 'last_used_at', ...INSTANT, nullable: true })
  lastUsedAt!: Date | null;
}
