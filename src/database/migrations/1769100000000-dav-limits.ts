import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { Columns } from './migration-helpers';

/** What one property cost when this migration ran: `propertyCost` in SQL (README "Limits"). */
const COST = 'OCTET_LENGTH(namespace) + OCTET_LENGTH(name) + OCTET_LENGTH(value) + 100';

/**
 * Dead properties count toward their owner's quota (README "Limits"). Each row keeps its cost,
 * and the sum per owner, asked by quota checks and PROPPATCH, reads an index of (owner, cost)
 * alone, never the values.
 */
export class DavLimits1769100000000 implements MigrationInterface {
  name = 'DavLimits1769100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = await Columns.create(queryRunner);
    await queryRunner.addColumn('dav_properties', new TableColumn(c.intWithDefault('cost', 0)));
    await queryRunner.query(`UPDATE dav_properties SET cost = ${COST}`);
    await queryRunner.createIndex('dav_properties', new TableIndex({ name: 'ix_dav_properties_owner_cost', columnNames: ['owner_id', 'cost'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('dav_properties', 'ix_dav_properties_owner_cost');
    await queryRunner.dropColumn('dav_properties', 'cost');
  }
}
