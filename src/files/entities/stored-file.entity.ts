import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { INSTANT } from '../../database/column-types';

/** A name in one folder of one user's storage; its bytes live in its versions. */
@Entity('files')
@Index('uq_files_owner_folder_name', ['ownerId', 'folderId', 'name'], { unique: true })
export class StoredFile {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'owner_id', type: 'int' })
  ownerId!: number;

  /** `ROOT_FOLDER_ID` (0) for a file in the root, where S0 and S4 clients see it. */
  // The migration gives the column its default (0); every insert names the folder.
  @Column({ name: 'folder_id', type: 'int' })
  folderId!: number;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  /** The trash item it went with (itself or a folder above it); null while it is in the tree. */
  @Column({ name: 'trash_id', type: 'int', nullable: true })
  trashId!: number | null;

  @Column({ name: 'created_at', ...INSTANT })
  createdAt!: Date;
}
