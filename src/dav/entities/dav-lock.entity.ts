import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { INSTANT } from '../../database/column-types';

export type LockScope = 'exclusive' | 'shared';
export type LockDepth = '0' | 'infinity';

/** A WebDAV write lock (RFC 4918 §6), in the database so that it holds on every instance. */
@Entity('dav_locks')
export class DavLock {
  @PrimaryGeneratedColumn()
  id!: number;

  /** The lock token's UUID (the `urn:uuid:` form is built from it). */
  @Index('uq_dav_locks_token', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  token!: string;

  @Index('ix_dav_locks_owner')
  @Column({ name: 'owner_id', type: 'int' })
  ownerId!: number;

  /** The locked path in the owner's tree, names joined by `/`, no leading or trailing slash ('' is the root). */
  @Column({ type: 'text' })
  path!: string;

  @Column({ type: 'varchar', length: 8 })
  depth!: LockDepth;

  @Column({ type: 'varchar', length: 16 })
  scope!: LockScope;

  /** The client's `<D:owner>` element as XML, given back in lockdiscovery. */
  @Column({ name: 'owner_xml', type: 'text', nullable: true })
  ownerXml!: string | null;

  @Column({ name: 'timeout_seconds', type: 'int' })
  timeoutSeconds!: number;

  @Column({ name: 'expires_at', ...INSTANT })
  expiresAt!: Date;

  @Column({ name: 'created_at', ...INSTANT })
  createdAt!: Date;
}
