import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';
import { Columns } from './migration-helpers';

/**
 * Folders (CONTRACT §5) and what WebDAV keeps per resource (§6).
 *
 * A folder row names its parent; 0 is the user's root, which has no row. Files gain the same
 * `folder_id`, so a folder's children are found by one indexed lookup, and moving or renaming a
 * folder is one UPDATE of its row, whatever it holds. Existing files land in the root with their
 * ids, versions and shares untouched. 0 rather than NULL: a unique index treats NULLs as distinct
 * on every database, and it must refuse two root entries of one name.
 */
export class Folders1765000000000 implements MigrationInterface {
  name = 'Folders1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = await Columns.create(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'folders',
        columns: [c.id(), c.int('owner_id'), c.intWithDefault('parent_id', 0), c.string('name', 255), c.datetime('created_at')],
        indices: [new TableIndex({ name: 'uq_folders_owner_parent_name', columnNames: ['owner_id', 'parent_id', 'name'], isUnique: true })],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_folders_owner', columnNames: ['owner_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );
    await queryRunner.addColumn('files', new TableColumn(c.intWithDefault('folder_id', 0)));
    // The new index first: MySQL keeps an index on owner_id for the foreign key at every moment.
    await queryRunner.createIndex('files', new TableIndex({ name: 'uq_files_owner_folder_name', columnNames: ['owner_id', 'folder_id', 'name'], isUnique: true }));
    await queryRunner.dropIndex('files', 'uq_files_owner_name');

    // WebDAV dead properties (PROPPATCH), keyed by the resource, so that they move with it.
    await queryRunner.createTable(
      new Table({
        name: 'dav_properties',
        columns: [c.id(), c.int('owner_id'), c.string('node_type', 8), c.int('node_id'), c.string('namespace', 255), c.string('name', 255), c.text('value')],
        indices: [new TableIndex({ name: 'uq_dav_properties_node_name', columnNames: ['node_type', 'node_id', 'namespace', 'name'], isUnique: true })],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_dav_properties_owner', columnNames: ['owner_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );
    // WebDAV locks, keyed by path as RFC 4918 has them; every instance reads the same rows.
    await queryRunner.createTable(
      new Table({
        name: 'dav_locks',
        columns: [
          c.id(),
          c.string('token', 64),
          c.int('owner_id'),
          c.text('path'),
          c.string('depth', 8),
          c.string('scope', 16),
          c.text('owner_xml', true),
          c.int('timeout_seconds'),
          c.datetime('expires_at'),
          c.datetime('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_dav_locks_token', columnNames: ['token'], isUnique: true }),
          new TableIndex({ name: 'ix_dav_locks_owner', columnNames: ['owner_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_dav_locks_owner', columnNames: ['owner_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('dav_locks');
    await queryRunner.dropTable('dav_properties');
    await queryRunner.createIndex('files', new TableIndex({ name: 'uq_files_owner_name', columnNames: ['owner_id', 'name'], isUnique: true }));
    await queryRunner.dropIndex('files', 'uq_files_owner_folder_name');
    await queryRunner.dropColumn('files', 'folder_id');
    await queryRunner.dropTable('folders');
  }
}
