import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

const SLICE = 500;

interface CountRow {
  id: number | string;
  downloads: number | string;
  size: number | string;
}

/**
 * A link's `maxDownloads` becomes a budget of bytes sent (CONTRACT §8): ranges count what they
 * carry, and a cut download can resume. `bytes_served` is that count; `downloads` stays, as the
 * bytes sent in whole files, rounded down. A link's earlier downloads were whole files: they are
 * carried over as that many times the size of its file's newest version.
 */
export class LinkBytesServed1769200000000 implements MigrationInterface {
  name = 'LinkBytesServed1769200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('links', new TableColumn({ name: 'bytes_served', type: 'bigint', isNullable: false, default: 0 }));
    const rows = (await queryRunner.query(
      `SELECT l.id AS id, l.downloads AS downloads, v.size AS size FROM links l JOIN file_versions v ON v.file_id = l.file_id
       WHERE l.downloads > 0 AND v.version = (SELECT MAX(w.version) FROM file_versions w WHERE w.file_id = l.file_id)`,
    )) as CountRow[];
    await this.setEach(queryRunner, 'bytes_served', rows.map((row) => [Number(row.id), Number(row.downloads) * Math.max(Number(row.size), 1)]));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('links', 'bytes_served');
  }

  /** One UPDATE per distinct value, for a slice of ids at a time. */
  private async setEach(queryRunner: QueryRunner, column: string, values: [id: number, value: number][]): Promise<void> {
    const byValue = new Map<number, number[]>();
    for (const [id, value] of values) byValue.set(value, [...(byValue.get(value) ?? []), id]);
    for (const [value, ids] of byValue) {
      for (let i = 0; i < ids.length; i += SLICE) {
        await queryRunner.manager
          .createQueryBuilder()
          .update('links')
          .set({ [column]: value })
          .where('id IN (:...ids)', { ids: ids.slice(i, i + SLICE) })
          .execute();
      }
    }
  }
}
