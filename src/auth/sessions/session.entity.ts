import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { INSTANT } from '../../database/column-types';

/** The database session store's row; the Redis store keeps the same fields under a key. */
@Entity('sessions')
export class SessionRow {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Index()
  @Column({ name: 'user_id', type: 'int' })
  userId!: number;

  @Column({ name: 'created_at', ...INSTANT })
  createdAt!: Date;

  @Index()
  @Column({ name: 'expires_at', ...INSTANT })
  expiresAt!: Date;

  @Column({ name: 'last_seen_at', ...INSTANT })
  lastSeenAt!: Date;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;
}
