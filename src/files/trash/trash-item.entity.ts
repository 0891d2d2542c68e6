import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber, INSTANT } from '../../database/column-types';

export type TrashNodeType = 'file' | 'folder';

/**
 * A file or folder its owner deleted (CONTRACT §9). Its rows stay where they were, except that
 * the top one names `-id` as its parent: out of every listing, its name free again.
 */
@Entity('trash_items')
@Index('ix_trash_items_owner_deleted', ['ownerId', 'deletedAt'])
export class TrashItem {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'owner_id', type: 'int' })
  ownerId!: number;

  @Column({ name: 'node_type', type: 'varchar', length: 8 })
  nodeType!: TrashNodeType;

  /** The file's or the folder's id. */
  @Column({ name: 'node_id', type: 'int' })
  nodeId!: number;

  /** Where it was, `a/b/c`: where a restore puts it back. */
  @Column({ type: 'text' })
  path!: string;

  /** Bytes of every version it holds: what it counts toward the quota. */
  @Column({ type: 'bigint', transformer: bigintToNumber })
  size!: number;

  @Index('ix_trash_items_deleted')
  @Column({ name: 'deleted_at', ...INSTANT })
  deletedAt!: Date;
}

/** The parent id a trashed top row names: no folder has a negative id. */
export function trashParentId(itemId: number): number {
  return -itemId;
}
