import { MigrationInterface, QueryRunner } from 'typeorm';
import { nopadCollation } from './migration-helpers';

/**
 * MySQL/MariaDB's `utf8mb4_bin` is a PAD SPACE collation: `'padU1   ' = 'padU1'` is true there,
 * so a name with trailing spaces logged in as another user and `PUT /files/rep%20` became a
 * version of `rep` (CONTRACT §11). Every table moves to the server's NO PAD binary collation.
 * SQLite compares exactly already.
 */
export class ExactNames1764400000000 implements MigrationInterface {
  name = 'ExactNames1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== 'mysql') return;
    const collation = await nopadCollation(queryRunner);
    for (const table of await userTables(queryRunner)) {
      await queryRunner.query(`ALTER TABLE \`${table}\` CONVERT TO CHARACTER SET utf8mb4 COLLATE ${collation}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== 'mysql') return;
    for (const table of await userTables(queryRunner)) {
      await queryRunner.query(`ALTER TABLE \`${table}\` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    }
  }
}

async function userTables(queryRunner: QueryRunner): Promise<string[]> {
  const rows = (await queryRunner.query(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> 'migrations'`,
  )) as { name: string }[];
  return rows.map((r) => r.name);
}
