import { existsSync } from 'node:fs';
import type { KeyStore } from '../keys/stores/key-store.ts';
import { keyvKeyStore } from '../keys/stores/keyv-key-store.ts';
import { postgresKeyStore } from '../keys/stores/postgres-key-store.ts';
import { redisKeyStore } from '../keys/stores/redis-key-store.ts';
import { sqliteKeyStore } from '../keys/stores/sqlite-key-store.ts';
import { CliError } from './cli-error.ts';

/** The `--store` forms, for messages. @internal */
export const STORE_FORMS = 'memory, sqlite://PATH, redis://HOST:PORT, postgres://USER@HOST/DB';

/** The store URL with any password replaced, safe to print. @internal */
export function redactStore(spec: string): string {
  try {
    const url = new URL(spec);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return spec;
  }
}

/**
 * Opens the store named by `--store`.
 * @param spec - `memory`, `sqlite://path`, `redis://...`/`rediss://...` or `postgres://...`/`postgresql://...`.
 * @param options - `mustExist`: refuse an SQLite file that does not exist (read-only commands must not
 * create one); `namespace`: the key store namespace; `timeout`: milliseconds a Redis or Postgres call
 * may wait before the store gives up with `Unavailable` (`store-unavailable`).
 * @throws CliError for an unknown form or a missing file.
 * @internal
 */
export function openStore(
  spec: string | undefined,
  options: { mustExist: boolean; namespace?: string; timeout?: number },
): KeyStore {
  if (spec === undefined || spec === '') {
    throw new CliError(`Missing --store (${STORE_FORMS})`, 2);
  }
  const namespace = options.namespace === undefined ? {} : { namespace: options.namespace };
  const timeout = options.timeout === undefined ? {} : { timeout: options.timeout };
  if (spec === 'memory') return keyvKeyStore();
  const scheme = /^([a-z]+):/.exec(spec)?.[1];
  switch (scheme) {
    case 'sqlite': {
      const path = spec.slice('sqlite://'.length);
      if (!spec.startsWith('sqlite://') || path === '')
        throw new CliError(`Bad --store: use sqlite://PATH`, 2);
      if (options.mustExist && path !== ':memory:' && !existsSync(path)) {
        throw new CliError(`Key store not found: no SQLite file at ${path}`);
      }
      return sqliteKeyStore({ uri: spec, ...namespace });
    }
    case 'redis':
    case 'rediss':
      return redisKeyStore({ url: spec, ...namespace, ...timeout });
    case 'postgres':
    case 'postgresql':
      return postgresKeyStore({ connectionString: spec, ...namespace, ...timeout });
    default:
      throw new CliError(`Unknown --store '${redactStore(spec)}'; use one of: ${STORE_FORMS}`, 2);
  }
}
