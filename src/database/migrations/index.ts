import { Accounts1763740800000 } from './1763740800000-accounts';
import { Sounds1763800000000 } from './1763800000000-sounds';

/** Applied in order at start-up, on SQLite and MySQL alike. */
export const MIGRATIONS = [Accounts1763740800000, Sounds1763800000000];
