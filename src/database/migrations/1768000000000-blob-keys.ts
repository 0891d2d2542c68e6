import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

const SLICE = 500;

/**
 * A blob belongs to one row (README "When things fail"): a file version's blob key is unique, so
 * a resumable upload whose commit is retried finds its version instead of adding a second one
 * that shares the bytes (deleting either would delete both). Versions that already share a key
 * (left by that bug) are the same bytes: the oldest stays, the copies go.
 *
 * The orphan sweep asks, per batch of keys, which ones any row names: sounds, resumable uploads
 * and reservations get an index on their blob key for it.
 */
export class BlobKeys1768000000000 implements MigrationInterface {
  name = 'BlobKeys1768000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const duplicates = (await queryRunner.query(
      'SELECT v.id AS id FROM file_versions v WHERE EXISTS (SELECT 1 FROM file_versions w WHERE w.blob_key = v.blob_key AND w.id < v.id)',
    )) as { id: number | string }[];
    const ids = duplicates.map((row) => Number(row.id));
    for (let i = 0; i < ids.length; i += SLICE) {
      await queryRunner.manager.createQueryBuilder().delete().from('file_versions').where('id IN (:...ids)', { ids: ids.slice(i, i + SLICE) }).execute();
    }
    await queryRunner.dropIndex('file_versions', 'ix_file_versions_blob_key');
    await queryRunner.createIndex('file_versions', new TableIndex({ name: 'uq_file_versions_blob_key', columnNames: ['blob_key'], isUnique: true }));
    await queryRunner.createIndex('sounds', new TableIndex({ name: 'ix_sounds_blob_key', columnNames: ['blob_key'] }));
    await queryRunner.createIndex('resumable_uploads', new TableIndex({ name: 'ix_resumable_uploads_blob_key', columnNames: ['blob_key'] }));
    await queryRunner.createIndex('upload_reservations', new TableIndex({ name: 'ix_upload_reservations_blob_key', columnNames: ['blob_key'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('upload_reservations', 'ix_upload_reservations_blob_key');
    await queryRunner.dropIndex('resumable_uploads', 'ix_resumable_uploads_blob_key');
    await queryRunner.dropIndex('sounds', 'ix_sounds_blob_key');
    await queryRunner.dropIndex('file_versions', 'uq_file_versions_blob_key');
    await queryRunner.createIndex('file_versions', new TableIndex({ name: 'ix_file_versions_blob_key', columnNames: ['blob_key'] }));
  }
}
