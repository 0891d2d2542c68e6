import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { Columns } from './migration-helpers';

export class Sounds1763800000000 implements MigrationInterface {
  name = 'Sounds1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'sounds',
        columns: [
          c.id(),
          c.int('owner_id'),
          c.string('title', 255),
          c.string('filename', 255),
          c.string('content_type', 64),
          c.bigint('size'),
          c.int('duration_ms', true),
          c.string('artist', 255, true),
          c.string('album', 255, true),
          c.string('blob_key', 128),
          c.string('sha256', 64),
          c.datetime('created_at'),
        ],
        indices: [
          // The public list pages newest first, over all sounds or one owner's.
          new TableIndex({ name: 'ix_sounds_created', columnNames: ['created_at', 'id'] }),
          new TableIndex({ name: 'ix_sounds_owner_created', columnNames: ['owner_id', 'created_at', 'id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_sounds_owner',
            columnNames: ['owner_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sounds');
  }
}
