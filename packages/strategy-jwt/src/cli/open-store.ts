import { existsSync } from 'node:fs';
import type { KeyStore } from '../keys/stores/key-store.ts';
import { keyvKeyStore } from '../keys/stores/keyv-key-store.ts';
import { postgresKeyStore } from '../keys/stores/postgres-key-store.ts';
import { redisKeyStore } from '../keys/stores/redis-key-store.ts';
import { sqliteKeyStore } from '../keys/stores/sqlite-key-store.ts';
import { CliError } from './cli-error.ts';

/** The `--store` forms, for messages. @internal */
export const STORE_FORMS = 'memory, sqlite://PATH, redis://HOST:PORT, postgres://USER@HOST/DB';

/** Query parameters that carry credentials in Postgres, Redis and driver URLs (`password`, `pass`, `pwd`, `sslpassword`, `token`, ...). */
const CREDENTIAL_PARAM = /pass|pwd|secret|token|key|auth|credential/i;
const MASK = '***';

/**
 * The store URL safe to print: the password of the userinfo and every credential query parameter
 * masked; a URL that does not parse is shown by its scheme only (its credentials cannot be located).
 * @internal
 */
export function redactStore(spec: string): string {
  if (spec === 'memory') return spec;
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(spec)?.[1];
    return `${scheme === undefined ? '' : `${scheme}://`}${MASK} (not a valid URL, not shown)`;
  }
  if (url.password) url.password = MASK;
  for (const name of new Set(url.searchParams.keys())) {
    if (CREDENTIAL_PARAM.test(name)) url.searchParams.set(name, MASK);
  }
  return url.toString();
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Removes a store URL's credentials from any text about to be printed (a driver's message may quote
 * the URL or its parts): the URL itself becomes {@link redactStore}'s form, then every credential value
 * found in it is masked wherever it still appears.
 * @internal
 */
export function scrubStoreCredentials(text: string, spec: string | undefined): string {
  if (spec === undefined || spec === '' || spec === 'memory') return text;
  let out = text.split(spec).join(redactStore(spec));
  const secrets: string[] = [];
  try {
    const url = new URL(spec);
    secrets.push(url.password, safeDecode(url.password));
    for (const [name, value] of url.searchParams) if (CREDENTIAL_PARAM.test(name)) secrets.push(value);
  } catch {
    // Unparsable: locate credentials leniently, and treat whatever follows the scheme as one too.
    secrets.push(spec.replace(/^[a-z][a-z0-9+.-]*:\/\//i, ''));
    const password = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@]*?:([^/?#@]*)@/i.exec(spec)?.[1];
    if (password !== undefined) secrets.push(password, safeDecode(password));
    for (const [, name, value] of spec.matchAll(/[?&]([^=&#]+)=([^&#]*)/g)) {
      if (CREDENTIAL_PARAM.test(name!)) secrets.push(value!, safeDecode(value!));
    }
  }
  // Short values would mask unrelated words; a credential that short protects nothing anyway.
  for (const secret of secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(MASK);
  }
  return out;
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
    throw new CliError(`Missing --store (${STORE_FORMS}) or ORG_KEYS_STORE`, 2);
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
      return sqliteKeyStore({ filename: path, ...namespace });
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
