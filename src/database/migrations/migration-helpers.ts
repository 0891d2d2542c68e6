import { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * The server's binary NO PAD collation, under which `'a '` and `'a'` differ (CONTRACT §11):
 * MySQL 8 has `utf8mb4_0900_bin`, MariaDB 10.2+ `utf8mb4_nopad_bin`.
 */
export async function nopadCollation(queryRunner: QueryRunner): Promise<string> {
  const rows = (await queryRunner.query(
    `SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN ('utf8mb4_0900_bin', 'utf8mb4_nopad_bin')`,
  )) as { name: string }[];
  const names = rows.map((r) => r.name);
  const found = ['utf8mb4_0900_bin', 'utf8mb4_nopad_bin'].find((n) => names.includes(n));
  if (!found) throw new Error('this MySQL/MariaDB server has no NO PAD binary utf8mb4 collation (MySQL 8 or MariaDB 10.2+ needed)');
  return found;
}

/**
 * Column builders that give the same meaning on SQLite, MySQL/MariaDB and PostgreSQL. Strings
 * compare and sort byte for byte on all three: SQLite's default BINARY collation, MySQL's
 * binary collations, PostgreSQL's "C".
 */
export class Columns {
  private readonly mysql: boolean;
  private readonly postgres: boolean;

  /**
   * Migrations from ExactNames1764400000000 on build with `Columns.create`, which compares names
   * exactly; the earlier ones keep `utf8mb4_bin`, converted by that migration.
   */
  constructor(
    queryRunner: QueryRunner,
    private readonly collation = 'utf8mb4_bin',
  ) {
    this.mysql = queryRunner.connection.options.type === 'mysql';
    this.postgres = queryRunner.connection.options.type === 'postgres';
  }

  static async create(queryRunner: QueryRunner): Promise<Columns> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    return new Columns(queryRunner, mysql ? await nopadCollation(queryRunner) : undefined);
  }

  id(): TableColumnOptions {
    return { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
  }

  int(name: string, nullable = false): TableColumnOptions {
    return { name, type: 'integer', isNullable: nullable };
  }

  /** An integer that rows written before this column existed read as `fallback`. */
  intWithDefault(name: string, fallback: number): TableColumnOptions {
    return { name, type: 'integer', isNullable: false, default: fallback };
  }

  bigint(name: string, nullable = false): TableColumnOptions {
    return { name, type: 'bigint', isNullable: nullable };
  }

  /** Compared byte for byte: names are case-sensitive everywhere (and, on MySQL from Columns.create, trailing spaces count). */
  string(name: string, length: number, nullable = false): TableColumnOptions {
    return {
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
      ...(this.mysql ? { charset: 'utf8mb4', collation: this.collation } : {}),
      ...(this.postgres ? { collation: 'C' } : {}),
    };
  }

  /** Large text (JSON documents up to 64 KiB and more). */
  text(name: string, nullable = false): TableColumnOptions {
    return { name, type: this.mysql ? 'mediumtext' : 'text', isNullable: nullable };
  }

  bool(name: string, fallback: boolean): TableColumnOptions {
    return { name, type: 'boolean', isNullable: false, default: fallback ? 'true' : 'false' };
  }

  datetime(name: string, nullable = false): TableColumnOptions {
    return { name, type: this.postgres ? 'timestamptz' : 'datetime', precision: 3, isNullable: nullable };
  }
}
