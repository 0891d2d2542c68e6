import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { INSTANT } from '../../database/column-types';

/** The id a user's root folder goes by: it has no row. */
export const ROOT_FOLDER_ID = 0;

/** A folder in one user's tree (CONTRACT §5). Its children name it as their parent. */
@Entity('folders')
@Index('uq_folders_owner_parent_name', ['ownerId', 'parentId', 'name'], { unique: true })
export class Folder {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'owner_id', type: 'int' })
  ownerId!: number;

  /** `ROOT_FOLDER_ID` for a folder in the root. */
  @Column({ name: 'parent_id', type: 'int' })
  parentId!: number;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ name: 'created_at', ...INSTANT })
  createdAt!: Date;
}
