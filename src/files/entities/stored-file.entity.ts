import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { INSTANT } from '../../database/column-types';
import { ROOT_FOLDER_ID } from './folder.entity';

/** A name in one folder of one user's storage; its bytes live in its versions. */
@Entity('files')
@Index('uq_files_owner_folder_name', ['ownerId', 'folderId', 'name'], { unique: true })
export class StoredFile {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'owner_id', type: 'int' })
  ownerId!: number;

  /** `ROOT_FOLDER_ID` for a file in the root, where S0 and S4 clients see it. */
  @Column({ name: 'folder_id', type: 'int', default: ROOT_FOLDER_ID })
  folderId!: number;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ name: 'created_at', ...INSTANT })
  createdAt!: Date;
}
