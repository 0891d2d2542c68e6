import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { Columns } from './migration-helpers';

export class Accounts1763740800000 implements MigrationInterface {
  name = 'Accounts1763740800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new Columns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          c.id(),
          c.string('username', 20),
          c.string('password_hash', 255),
          { ...c.string('role', 16), default: "'user'" },
          c.string('fname', 255, true),
          c.string('lname', 255, true),
          c.string('email', 255, true),
          c.bool('block_login', false),
          c.string('block_login_reason', 255, true),
          c.bool('change_password_on_first_login', false),
          c.bigint('storage_quota', true),
          c.text('data'),
          c.datetime('created_at'),
          c.datetime('updated_at'),
        ],
        indices: [new TableIndex({ name: 'uq_users_username', columnNames: ['username'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { ...c.string('id', 64), isPrimary: true },
          c.int('user_id'),
          c.datetime('created_at'),
          c.datetime('expires_at'),
          c.datetime('last_seen_at'),
          c.string('user_agent', 512, true),
          c.string('ip', 64, true),
        ],
        indices: [
          new TableIndex({ name: 'ix_sessions_user', columnNames: ['user_id'] }),
          new TableIndex({ name: 'ix_sessions_expires', columnNames: ['expires_at'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_sessions_user',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sessions');
    await queryRunner.dropTable('users');
  }
}
