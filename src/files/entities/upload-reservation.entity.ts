import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber, INSTANT } from '../../database/column-types';

/**
 * One upload in flight. It holds quota for bytes not stored yet (so concurrent uploads cannot
 * overrun a quota together, on any instance) and names the blob being written, so that a crash
 * mid-upload can be cleaned up by whichever instance starts next.
 */
@Entity('upload_reservations')
export class UploadReservation {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('ix_upload_reservations_user')
  @Column({ name: 'user_id', type: 'int' })
  userId!: number;

  @Index('ix_upload_reservations_blob_key')
  @Column({ name: 'blob_key', type: 'varchar', length: 255 })
  blobKey!: string;

  @Column({ name: 'reserved_bytes', type: 'bigint', transformer: bigintToNumber })
  reservedBytes!: number;

  /** The server instance streaming it; a restarted instance sweeps its predecessor's rows. */
  @Column({ name: 'instance_id', type: 'varchar', length: 255 })
  instanceId!: string;

  @Column({ name: 'created_at', ...INSTANT })
  createdAt!: Date;

  /** Refreshed while bytes flow, so that only abandoned rows ever look stale. */
  @Index('ix_upload_reservations_heartbeat')
  @Column({ name: 'heartbeat_at', ...INSTANT })
  heartbeatAt!: Date;
}
