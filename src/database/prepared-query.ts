import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { EntityManager, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';

/** Stands in for a parameter while the query is built, so that its position can be found. */
const MARK = '\u0000prepared:';

type Markers<P> = { readonly [K in keyof P]: string };

/**
 * A query of one entity built once by TypeORM's query builder (the database's dialect, quoting
 * and placeholders) and then run as raw SQL with each call's parameters, the selected columns
 * converted exactly as TypeORM's own reads would (dates, booleans, transformers). For the
 * routes every request takes (session, user, listing): building a query and hydrating an
 * entity cost more than the query itself (README "Small requests").
 */
export class PreparedQuery<P extends Record<string, string | number>, Row> {
  private constructor(
    private readonly manager: EntityManager,
    private readonly sql: string,
    private readonly parameterNames: readonly (keyof P)[],
    private readonly columns: readonly (readonly [string, ColumnMetadata | undefined])[],
  ) {}

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
    const raw = await this.manager.query<Record<string, unknown>[]>(
      this.sql,
      this.parameterNames.map((name) => parameters[name]),
    );
    const { driver } = this.manager.connection;
    return raw.map((row) => {
      const entity: Record<string, unknown> = {};
      for (const [property, column] of this.columns) entity[property] = column ? driver.prepareHydratedValue(row[property], column) : row[property];
      return entity as Row;
    });
  }
}
