import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { EntityManager, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';

/** Stands in for a parameter while the query is built, so that its position can be found. */
const MARK = '\u0000prepared:';

type Markers<P> = { readonly [K in keyof P]: string };

type RawRow = Record<string, unknown>;
type Execute = (values: unknown[]) => Promise<RawRow[]>;

/** The parts of the three drivers' native clients that a prepared query calls. */
interface SqliteDatabase {
  prepare(sql: string): { all(...values: unknown[]): RawRow[] };
}
interface MysqlPool {
  query(sql: string, values: unknown[], done: (error: Error | null, rows: RawRow[]) => void): void;
}
interface PostgresPool {
  query(sql: string, values: unknown[]): Promise<{ rows: RawRow[] }>;
}

/**
 * Runs the SQL on the driver's own client: better-sqlite3's statement (prepared once), the
 * mysql2 pool, the pg pool. TypeORM's query runner would first take a connection, broadcast
 * events and wrap the result, which on the hot path costs more than the query; errors keep
 * the drivers' codes, which the outage and constraint checks read.
 */
function executorFor(manager: EntityManager, sql: string): Execute {
  const driver = manager.connection.driver as unknown as { databaseConnection?: SqliteDatabase; pool?: MysqlPool; master?: PostgresPool };
  switch (manager.connection.options.type) {
    case 'better-sqlite3': {
      let statement: ReturnType<SqliteDatabase['prepare']> | undefined;
      return (values) => {
        try {
          statement ??= (driver.databaseConnection as SqliteDatabase).prepare(sql);
          return Promise.resolve(statement.all(...values));
        } catch (error) {
          return Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
    }
    case 'mysql': {
      const pool = driver.pool as MysqlPool;
      return (values) => new Promise((resolve, reject) => pool.query(sql, values, (error, rows) => (error ? reject(error) : resolve(rows))));
    }
    case 'postgres': {
      const pool = driver.master as PostgresPool;
      return async (values) => (await pool.query(sql, values)).rows;
    }
    default:
      // DB_TYPE allows only the three above; another driver fails at start-up, not on a request.
      throw new Error(`PreparedQuery: no executor for ${manager.connection.options.type}`);
  }
}

/**
 * A query of one entity built once by TypeORM's query builder (the database's dialect, quoting
 * and placeholders) and then run as raw SQL with each call's parameters, the selected columns
 * converted exactly as TypeORM's own reads would (dates, booleans, transformers). For the
 * routes every request takes (session, user, listing): building a query and hydrating an
 * entity cost more than the query itself (README "Small requests").
 */
export class PreparedQuery<P extends Record<string, string | number>, Row> {
  private readonly execute: Execute;

  private constructor(
    private readonly manager: EntityManager,
    sql: string,
    private readonly parameterNames: readonly (keyof P)[],
    private readonly columns: readonly (readonly [string, ColumnMetadata | undefined])[],
  ) {
    this.execute = executorFor(manager, sql);
  }

  /**
   * `properties` are selected from `alias` under their own names; `where` adds the conditions,
   * with the markers of `p` as parameter values: `(qb, p) => qb.where('s.id = :id', { id: p.id })`.
   */
  static select<E extends ObjectLiteral, K extends keyof E & string, P extends Record<string, string | number>>(
    repository: Repository<E>,
    alias: string,
    properties: readonly K[],
    where: (qb: SelectQueryBuilder<E>, p: Markers<P>) => SelectQueryBuilder<E>,
  ): PreparedQuery<P, Pick<E, K>> {
    const markers = new Proxy({}, { get: (_, name) => `${MARK}${String(name)}` }) as Markers<P>;
    let qb = repository.createQueryBuilder(alias);
    properties.forEach((property, i) => {
      qb = i === 0 ? qb.select(`${alias}.${property}`, property) : qb.addSelect(`${alias}.${property}`, property);
    });
    const [sql, values] = where(qb, markers).getQueryAndParameters();
    const parameterNames = values.map((value) => {
      if (typeof value !== 'string' || !value.startsWith(MARK)) throw new Error(`PreparedQuery: parameter ${String(value)} is not one of the query's markers`);
      return value.slice(MARK.length);
    });
    const columns = properties.map((property) => [property, repository.metadata.findColumnWithPropertyPath(property)] as const);
    return new PreparedQuery<P, Pick<E, K>>(repository.manager, sql, parameterNames, columns);
  }

  async run(parameters: P): Promise<Row[]> {
    const raw = await this.execute(this.parameterNames.map((name) => parameters[name]));
    const { driver } = this.manager.connection;
    return raw.map((row) => {
      const entity: Record<string, unknown> = {};
      for (const [property, column] of this.columns) entity[property] = column ? driver.prepareHydratedValue(row[property], column) : row[property];
      return entity as Row;
    });
  }
}
