/** Driver error codes, so that one check serves SQLite, MySQL and PostgreSQL (SQLSTATE). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** The referenced row is gone (a file or user deleted while an upload committed). */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_NO_REFERENCED_ROW' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}
