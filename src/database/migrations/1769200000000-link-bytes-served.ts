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
    // Integers read just above, written in slices of links that carry the same count.
    const byBytes = new Map<number, number[]>();
    for (const row of rows) {
      const bytes = Math.min(Number(row.downloads) * Math.max(Number(row.size), 1), Number.MAX_SAFE_INTEGER);
      byBytes.set(bytes, [...(byBytes.get(bytes) ?? []), Number(row.id)]);
    }
    for (const [bytes, ids] of byBytes) {
      for (let i = 0; i < ids.length; i += SLICE) {
        await queryRunner.query(`UPDATE links SET bytes_served = ${String(bytes)} WHERE id IN (${ids.slice(i, i + SLICE).join(', ')})`);
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('links', 'bytes_served');
  }
}
