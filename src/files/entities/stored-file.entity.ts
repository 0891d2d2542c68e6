import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { INSTANT } from '../../database/column-types';

/** A name in one user's storage; its bytes live in its versions. */
@Entity('files')
@Index('uq_files_owner_name', ['ownerId', 'name'], { unique: true })
export class StoredFile {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'owner_id', type: 'int' })
  ownerId!: number;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ name: 'created_at', ...INSTANT })
  createdAt!: Date;
}
