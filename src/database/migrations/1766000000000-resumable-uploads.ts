import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { Columns } from './migration-helpers';

/**
 * Resumable uploads (CONTRACT §7) and the locks that several instances share when no Redis is
 * configured. An upload's offset and its blob store state live here, so that any instance can
 * take its next PATCH.
 */
export class ResumableUploads1766000000000 implements MigrationInterface {
  name = 'ResumableUploads1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = await Columns.create(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'resumable_uploads',
        columns: [
          { ...c.string('id', 32), isPrimary: true },
          c.int('owner_id'),
          c.text('path'),
          c.string('content_type', 255),
          c.text('metadata'),
          c.bigint('length'),
          c.bigint('received'),
          c.bigint('durable'),
          c.string('blob_key', 32),
          c.text('storage_state', true),
          c.int('reservation_id', true),
          c.datetime('created_at'),
          c.datetime('active_at'),
          c.datetime('expires_at'),
          c.datetime('finished_at', true),
        ],
        indices: [new TableIndex({ name: 'ix_resumable_uploads_owner', columnNames: ['owner_id'] }), new TableIndex({ name: 'ix_resumable_uploads_expires', columnNames: ['expires_at'] })],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_resumable_uploads_owner', columnNames: ['owner_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'named_locks',
        columns: [{ ...c.string('name', 128), isPrimary: true }, c.string('token', 64), c.datetime('expires_at'), c.bool('release_wanted', false)],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('named_locks');
    await queryRunner.dropTable('resumable_uploads');
  }
}
