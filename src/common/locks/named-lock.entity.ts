import { Column, Entity, PrimaryColumn } from 'typeorm';
import { INSTANT } from '../../database/column-types';

/** A lock that every instance sharing the database sees (used when no Redis is configured). */
@Entity('named_locks')
export class NamedLock {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  name!: string;

  /** The holder's random token: only it can renew or release the lock. */
  @Column({ type: 'varchar', length: 64 })
  token!: string;

  /** A holder that died stops renewing: the lock is free after this. */
  @Column({ name: 'expires_at', ...INSTANT })
  expiresAt!: Date;

  /** Someone waits for the lock and asks the holder to finish (tus: a resumed PATCH ends a stale one). */
  @Column({ name: 'release_wanted', type: 'boolean' })
  releaseWanted!: boolean;
}
