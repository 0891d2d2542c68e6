import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * Dead properties count toward their owner's quota (README "Limits"): the sum per owner is
 * asked on every quota check, so it reads an index on the owner.
 */
export class DavLimits1769100000000 implements MigrationInterface {
  name = 'DavLimits1769100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('dav_properties', new TableIndex({ name: 'ix_dav_properties_owner', columnNames: ['owner_id'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('dav_properties', 'ix_dav_properties_owner');
  }
}
