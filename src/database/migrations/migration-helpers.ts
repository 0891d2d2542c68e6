import { QueryRunner, TableColumnOptions } from 'typeorm';

/** Column builders that give the same meaning on SQLite and MySQL/MariaDB. */
export class Columns {
  private readonly mysql: boolean;

  constructor(queryRunner: QueryRunner) {
    this.mysql = queryRunner.connection.options.type === 'mysql';
  }

  id(): TableColumnOptions {
    return { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
  }

  int(name: string, nullable = false): TableColumnOptions {
    return { name, type: 'integer', isNullable: nullable };
  }

  bigint(name: string, nullable = false): TableColumnOptions {
    return { name, type: 'bigint', isNullable: nullable };
  }

  /** Compared byte for byte: names are case-sensitive on both databases. */
  string(name: string, length: number, nullable = false): TableColumnOptions {
    return {
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
      ...(this.mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {}),
    };
  }

  /** Large text (JSON documents up to 64 KiB and more). */
  text(name: string): TableColumnOptions {
    return { name, type: this.mysql ? 'mediumtext' : 'text', isNullable: false };
  }

  bool(name: string, fallback: boolean): TableColumnOptions {
    return { name, type: 'boolean', isNullable: false, default: fallback ? 'true' : 'false' };
  }

  datetime(name: string, nullable = false): TableColumnOptions {
    return { name, type: 'datetime', precision: 3, isNullable: nullable };
  }
}
