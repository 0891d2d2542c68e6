import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';
import { Columns } from './migration-helpers';

/**
 * The trash (CONTRACT §9) and public links (§8).
 *
 * A deleted file or folder keeps its rows: its top row is taken out of the tree by naming a
 * parent no folder has (minus its trash item's id), so every listing and path lookup misses it
 * at once, its name is free again, and a folder of any size goes to the trash in constant time.
 * The files under it carry `trash_id`, so routes that reach files by id (shares, links,
 * `/download`) miss them too.
 */
export class TrashAndLinks1767000000000 implements MigrationInterface {
  name = 'TrashAndLinks1767000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = await Columns.create(queryRunner);
    await queryRunner.addColumn('files', new TableColumn(c.int('trash_id', true)));
    await queryRunner.createTable(
      new Table({
        name: 'trash_items',
        columns: [c.id(), c.int('owner_id'), c.string('node_type', 8), c.int('node_id'), c.text('path'), c.bigint('size'), c.datetime('deleted_at')],
        indices: [new TableIndex({ name: 'ix_trash_items_owner_deleted', columnNames: ['owner_id', 'deleted_at'] }), new TableIndex({ name: 'ix_trash_items_deleted', columnNames: ['deleted_at'] })],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_trash_items_owner', columnNames: ['owner_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'links',
        columns: [
          c.id(),
          c.int('owner_id'),
          c.int('file_id'),
          c.string('token_hash', 64),
          c.text('password_hash', true),
          c.datetime('expires_at'),
          c.int('max_downloads', true),
          c.intWithDefault('downloads', 0),
          c.datetime('created_at'),
        ],
        indices: [new TableIndex({ name: 'uq_links_token_hash', columnNames: ['token_hash'], isUnique: true }), new TableIndex({ name: 'ix_links_owner', columnNames: ['owner_id'] })],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_links_owner', columnNames: ['owner_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
          new TableForeignKey({ name: 'fk_links_file', columnNames: ['file_id'], referencedTableName: 'files', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('links');
    await queryRunner.dropTable('trash_items');
    await queryRunner.dropColumn('files', 'trash_id');
  }
}
