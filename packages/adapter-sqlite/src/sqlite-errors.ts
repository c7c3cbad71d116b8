import { Conflict, Unavailable, toAuthError, type AuthError } from '@org/core';

// Result codes meaning the database file cannot be used (locked, unreadable, full, gone): a 503, not a 500.
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|READONLY|CANTOPEN|CORRUPT|NOTADB|PERM|PROTOCOL|AUTH)/;

/** The code of a better-sqlite3 `SqliteError`, if `error` is one. */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * Maps a better-sqlite3 error to a toolkit error: a unique violation names the field (never the value),
 * an unusable file is a 503 `store-unavailable`, anything else a 500 with the cause kept server-side.
 *
 * @param fieldOfColumn - The record field mirrored by a column (`u_email` -> `email`, `id` -> the id field).
 */
export function toStoreError(error: unknown, fieldOfColumn: (column: string) => string): AuthError {
  const code = sqliteCode(error);
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    // "UNIQUE constraint failed: users.u_email"
    const column = /failed: [^.]+\.(\S+)/.exec((error as Error).message)?.[1] ?? 'id';
    return new Conflict(`A record with this ${fieldOfColumn(column)} already exists`, { cause: error });
  }
  if ((code && UNAVAILABLE.test(code)) || (error instanceof TypeError && /not open/.test(error.message))) {
    return new Unavailable('The SQLite database is unavailable', {
      reason: 'store-unavailable',
      cause: error,
    });
  }
  return toAuthError(error);
}

/** A clear, typed error for a database file that cannot be opened or used, thrown at construction. */
export function openError(filename: string, error: unknown): Unavailable {
  const code = sqliteCode(error);
  const message = (error as Error | null)?.message ?? '';
  let why: string;
  if (code === 'SQLITE_NOTADB' || code?.startsWith('SQLITE_CORRUPT'))
    why = 'the file is not a SQLite database or is corrupt';
  else if (/directory does not exist/.test(message)) why = 'its directory does not exist';
  else if (code?.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM') why = 'it is not writable';
  else if (code?.startsWith('SQLITE_CANTOPEN'))
    why = 'the file cannot be created or opened (check the path and permissions)';
  else if (code === 'SQLITE_BUSY') why = 'it is locked by another process';
  else if (code?.startsWith('SQLITE_CONSTRAINT'))
    why = 'existing records hold duplicate values for a unique field';
  else if (!code && error instanceof Error && !(error instanceof TypeError)) why = error.message;
  else why = code ?? 'unexpected error';
  return new Unavailable(`Cannot use the SQLite database "${filename}": ${why}`, {
    reason: 'store-unavailable',
    cause: error,
  });
}
