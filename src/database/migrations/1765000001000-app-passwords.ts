import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { Columns } from './migration-helpers';

/**
 * App passwords (CONTRACT §2). The secret is 32+ random characters, so a SHA-256 of it is as
 * unguessable as the secret itself and can be looked up by index: no argon2 per request.
 */
export class AppPasswords1765000001000 implements MigrationInterface {
  name = 'AppPasswords1765000001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = await Columns.create(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'app_passwords',
        columns: [c.id(), c.int('user_id'), c.string('name', 255), c.string('secret_hash', 64), c.datetime('created_at'), c.datetime('last_used_at', true)],
        indices: [
          new TableIndex({ name: 'uq_app_passwords_secret', columnNames: ['secret_hash'], isUnique: true }),
          new TableIndex({ name: 'ix_app_passwords_user', columnNames: ['user_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_app_passwords_user', columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('app_passwords');
  }
}
