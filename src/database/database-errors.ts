import { QueryFailedError } from 'typeorm';

// What the two drivers say, in their own words: mysql2 gives MySQL's error code, better-sqlite3
// SQLite's extended result code.
function driverCode(err: unknown): string | undefined {
  const source: unknown = err instanceof QueryFailedError ? err.driverError : err;
  const code = (source as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

// A unique index (or the primary key) already holds this value.
export function isDuplicateKey(err: unknown): boolean {
  const code = driverCode(err);
  return (
    code === 'ER_DUP_ENTRY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

// InnoDB rolled the whole transaction back to break a lock cycle; running it again is the
// documented remedy. SQLite transactions take turns and never meet.
export function isDeadlock(err: unknown): boolean {
  return driverCode(err) === 'ER_LOCK_DEADLOCK';
}
