import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { Columns } from './migration-helpers';

/** The Files module (S0, S4): files, their versions, shares, and uploads in flight. */
export class Files1763745000000 implements MigrationInterface {
  name = 'Files1763745000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'files',
        columns: [c.id(), c.int('owner_id'), c.string('name', 255), c.datetime('created_at')],
        indices: [new TableIndex({ name: 'uq_files_owner_name', columnNames: ['owner_id', 'name'], isUnique: true })],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_files_owner', columnNames: ['owner_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'file_versions',
        columns: [
          c.id(),
          c.int('file_id'),
          c.int('version'),
          c.string('blob_key', 255),
          c.bigint('size'),
          c.string('content_type', 255),
          c.string('sha256', 64),
          c.datetime('created_at'),
        ],
        indices: [
          // The database, not a read-then-write, decides who gets a version number.
          new TableIndex({ name: 'uq_file_versions_file_version', columnNames: ['file_id', 'version'], isUnique: true }),
          new TableIndex({ name: 'ix_file_versions_blob_key', columnNames: ['blob_key'] }),
        ],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_file_versions_file', columnNames: ['file_id'], referencedTableName: 'files', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'file_shares',
        columns: [c.id(), c.int('file_id'), c.int('user_id'), c.datetime('created_at')],
        indices: [
          new TableIndex({ name: 'uq_file_shares_file_user', columnNames: ['file_id', 'user_id'], isUnique: true }),
          new TableIndex({ name: 'ix_file_shares_user', columnNames: ['user_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_file_shares_file', columnNames: ['file_id'], referencedTableName: 'files', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
          new TableForeignKey({ name: 'fk_file_shares_user', columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );
    // No foreign key to users: a row must outlive its user until the upload's blob is cleaned up.
    await queryRunner.createTable(
      new Table({
        name: 'upload_reservations',
        columns: [
          c.id(),
          c.int('user_id'),
          c.string('blob_key', 255),
          c.bigint('reserved_bytes'),
          c.string('instance_id', 255),
          c.datetime('created_at'),
          c.datetime('heartbeat_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_upload_reservations_user', columnNames: ['user_id'] }),
          new TableIndex({ name: 'ix_upload_reservations_heartbeat', columnNames: ['heartbeat_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('upload_reservations');
    await queryRunner.dropTable('file_shares');
    await queryRunner.dropTable('file_versions');
    await queryRunner.dropTable('files');
  }
}
