import { ObjectLiteral, Repository } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * One INSERT, and the row with its generated id. `Repository.save` wraps a new row in its own
 * transaction (BEGIN, INSERT, COMMIT) and reads back every column the database defaults; a
 * single INSERT is atomic by itself, and these rows carry all their values. On the upload path
 * that is six statements fewer per file.
 */
export async function insertRow<T extends ObjectLiteral & { id: number }>(repo: Repository<T>, values: Omit<T, 'id'>): Promise<T> {
  const result = await repo.insert(values as unknown as QueryDeepPartialEntity<T>);
  const id = Number((result.identifiers[0] as { id: number | string }).id);
  return repo.create({ ...values, id } as unknown as T);
}
