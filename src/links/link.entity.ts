import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber, INSTANT } from '../database/column-types';

/** A public link to a file (CONTRACT §8). The token itself is never stored: only its sha256. */
@Entity('links')
export class Link {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('ix_links_owner')
  @Column({ name: 'owner_id', type: 'int' })
  ownerId!: number;

  @Column({ name: 'file_id', type: 'int' })
  fileId!: number;

  /** Hex sha256 of the token: 192 random bits need no salt or slow hash. */
  @Index('uq_links_token_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  /** argon2id, or null for a link without a password. */
  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash!: string | null;

  @Column({ name: 'expires_at', ...INSTANT })
  expiresAt!: Date;

  @Column({ name: 'max_downloads', type: 'int', nullable: true })
  maxDownloads!: number | null;

  /**
   * Bytes sent over the link, whole and ranged answers alike (CONTRACT §8): what `maxDownloads`
   * budgets. Reserved before an answer's bytes go out; what a cut connection never sent is given back.
   */
  @Column({ name: 'bytes_served', type: 'bigint', transformer: bigintToNumber })
  bytesServed!: number;

  /** `bytesServed` in whole files (of the size they were sent at), rounded down: what the owner sees. */
  @Column({ type: 'int' })
  downloads!: number;

  @Column({ name: 'created_at', ...INSTANT })
  createdAt!: Date;
}
