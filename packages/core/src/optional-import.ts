import { BadRequest } from './errors.ts';

const NOT_FOUND_CODES: ReadonlySet<unknown> = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);

/**
 * True when `error` says that `name` itself could not be resolved. A package that is installed but
 * misses one of its own dependencies is reported under that dependency's name, so it stays its own error.
 */
function isMissing(error: unknown, name: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return NOT_FOUND_CODES.has(e?.code) && typeof e?.message === 'string' && e.message.includes(`'${name}'`);
}

/**
 * Loads an optional peer dependency: a package that is not installed becomes a configuration error that
 * names it and the command that installs it, instead of a bare `ERR_MODULE_NOT_FOUND` (or one hidden in
 * a later error's `cause`). Any other failure of the import is rethrown as it is.
 *
 * @param name - The package, as `npm install` takes it (`pg`, `better-sqlite3`, `@keyv/redis`).
 * @param feature - What needs it, for the message (`postgresKeyStore()`).
 * @param load - Imports it: `() => import('pg')`, so that bundlers and the type checker see the specifier.
 * @returns The module.
 * @throws BadRequest `missing-package` when the package is not installed.
 * @example
 * ```ts
 * const { default: pg } = await importOptional('pg', 'postgresKeyStore()', () => import('pg'));
 * ```
 */
export async function importOptional<T>(name: string, feature: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isMissing(error, name)) throw error;
    throw new BadRequest(`${feature} needs the optional package ${name}: npm install ${name}`, {
      reason: 'missing-package',
      cause: error,
    });
  }
}
