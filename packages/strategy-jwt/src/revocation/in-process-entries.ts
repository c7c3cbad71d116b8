import type { BoundedMemoryStore } from './bounded-memory-store.ts';

/** The namespace keyv prefixes keys with when built without one (the default denylist's keyv is). */
const KEYV_NAMESPACE = 'keyv';

/** A record as keyv keeps it in a storage adapter: the value and its expiry in epoch ms (none: never). */
interface KeyvRecord {
  value: unknown;
  expires?: number;
}

/**
 * The default denylist's entries, read and written synchronously on its {@link BoundedMemoryStore}, in the
 * layout keyv itself uses on that store (key `keyv:<key>`, record `{ value, expires }` with
 * `expires = Date.now() + ttl`, expired on read as keyv expires it), so that the owned keyv instance and this
 * path read the same entries. Skipping keyv drops its promise layers, hooks and serialisation, and the
 * denylist's per-call timer: an in-process `Map` lookup cannot hang.
 * @internal
 */
export class InProcessEntries {
  readonly #store: BoundedMemoryStore;
  #jtis = false;
  #subjects = false;

  /** @param store - The store, owned by the denylist and reachable by nothing else. */
  constructor(store: BoundedMemoryStore) {
    this.#store = store;
  }

  /**
   * Whether a token (`jti`) entry was ever written. While none was, every `jti` lookup misses, so the
   * caller may skip it (and its key digest): only this class writes to the store.
   */
  get hasTokens(): boolean {
    return this.#jtis;
  }

  /** Whether a subject-wide entry was ever written (as {@link hasTokens}, for `sub` lookups). */
  get hasSubjects(): boolean {
    return this.#subjects;
  }

  /**
   * The live value at `key`, or `undefined`, exactly as `keyv.get(key)` answers (and, like it, an
   * expired record is deleted).
   */
  get(key: string): unknown {
    const prefixed = prefix(key);
    const record = this.#store.get(prefixed) as KeyvRecord | undefined | null;
    if (record === undefined || record === null) return undefined;
    if (typeof record.expires === 'number' && Date.now() > record.expires) {
      this.#store.delete(prefixed);
      return undefined;
    }
    return record.value;
  }

  /**
   * Stores `value` at `key` for `ttl` ms (> 0), as `keyv.set(key, value, ttl)` would.
   * @throws Error when the store is full of live entries (the caller reports it as unavailable).
   */
  set(kind: 'jti' | 'sub', key: string, value: unknown, ttl: number): void {
    const record: KeyvRecord = { value, expires: Date.now() + ttl };
    this.#store.set(prefix(key), record, ttl);
    if (kind === 'jti') this.#jtis = true;
    else this.#subjects = true;
  }
}

/** keyv's key prefixing (`Keyv#_getKeyPrefix` with its default namespace): a key already prefixed is kept. */
function prefix(key: string): string {
  return key.startsWith(`${KEYV_NAMESPACE}:`) ? key : `${KEYV_NAMESPACE}:${key}`;
}
