import { ValueTransformer } from 'typeorm';

/** mysql2 may hand BIGINT back as a string; sizes and quotas are safe JS integers. */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};

/** JSON kept as text, so that one column type serves SQLite and MySQL. */
export const jsonText: ValueTransformer = {
  to: (value: unknown) => (value === undefined ? undefined : JSON.stringify(value)),
  from: (value: string | null): unknown => (value === null || value === undefined ? value : JSON.parse(value)),
};

/**
 * A point in time to the millisecond. `Date` lets each driver name it (DATETIME on SQLite and
 * MySQL, timestamp on PostgreSQL); the migrations create `timestamptz` there, so an instance's
 * time zone never shifts a stored instant.
 */
export const INSTANT = { type: Date, precision: 3 } as const;
