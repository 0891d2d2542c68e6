import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type NodeType = 'file' | 'folder';

/**
 * A property a client set on a file or folder (WebDAV PROPPATCH, CONTRACT §6). Keyed by the
 * resource's id, not its path: a move keeps it without touching it; a copy copies it.
 */
@Entity('dav_properties')
@Index('uq_dav_properties_node_name', ['nodeType', 'nodeId', 'namespace', 'name'], { unique: true })
@Index('ix_dav_properties_owner_cost', ['ownerId', 'cost'])
export class ResourceProperty {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'owner_id', type: 'int' })
  ownerId!: number;

  @Column({ name: 'node_type', type: 'varchar', length: 8 })
  nodeType!: NodeType;

  /** The file's or folder's id; 0 with `folder` is the root. */
  @Column({ name: 'node_id', type: 'int' })
  nodeId!: number;

  @Column({ type: 'varchar', length: 255 })
  namespace!: string;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  /** The property element's content as XML. */
  @Column({ type: 'text' })
  value!: string;

  /** What it counts toward the owner's quota (`propertyCost`); the migration gives the column its default (0). */
  @Column({ type: 'int' })
  cost!: number;
}
