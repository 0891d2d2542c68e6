import { Accounts1763740800000 } from './1763740800000-accounts';

/** Applied in order at start-up, on SQLite and MySQL alike. */
export const MIGRATIONS = [Accounts1763740800000];
