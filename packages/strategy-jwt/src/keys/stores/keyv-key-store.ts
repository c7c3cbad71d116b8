import Keyv from 'keyv';
import {
  assertName,
  assertStoreId,
  assertTimeout,
  storeCall,
  type KeyStore,
  type KeyStoreEntry,
} from './key-store.ts';

/** One operation queue per keyv instance, so that every store handle on it shares the lock. */
const queues = new WeakMap<Keyv, Promise<unknown>>();

/** Options of {@link keyvKeyStore}. */
export interface KeyvKeyStoreOptions {
  /**
   * The keyv instance to keep records in. Its adapter must support iteration.
   * @defaultValue a new in-memory `Keyv` (a `Map`)
   */
  keyv?: Keyv;
  /**
   * The ring's namespace, which it binds its records to (keyv keeps its own `namespace` for key prefixes).
   * @defaultValue `'keys'`
   */
  namespace?: string;
  /**
   * Milliseconds a call may wait for the keyv adapter; after that it rejects with `Unavailable`
   * (`store-unavailable`), since some adapters queue commands while their server is down.
   * @defaultValue `5000`
   */
  timeout?: number;
}

/**
 * A key store on any keyv instance: the in-memory default, or an adapter the caller brings.
 *
 * keyv has no atomic create-if-absent or compare-and-set, so this store serialises its own operations
 * with an in-process lock: it is atomic for ONE process only. For several instances use
 * {@link redisKeyStore}, {@link postgresKeyStore} or {@link sqliteKeyStore}.
 *
 * It turns on `throwOnErrors` on the keyv instance (and its adapter): keyv otherwise reads a backend error
 * as "not found", and an empty-looking store would make the ring mint keys. Give it its own instance.
 * @param options - The keyv instance, namespace and timeout.
 * @throws BadRequest (`invalid-configuration`) for a bad namespace or timeout.
 * @example
 * ```ts
 * const ring = createKeyRing({ store: keyvKeyStore(), kek: { secret: process.env.KEK_SECRET! } });
 * ```
 */
export function keyvKeyStore(options: KeyvKeyStoreOptions = {}): KeyStore {
  const keyv = options.keyv ?? new Keyv<string>();
  const timeout = assertTimeout(options.timeout);
  const namespace = assertName(options.namespace ?? 'keys', 'key store namespace');
  keyv.throwOnErrors = true;
  const adapter = (keyv.opts as { store?: { throwOnErrors?: unknown } } | undefined)?.store;
  if (adapter && typeof adapter.throwOnErrors === 'boolean') adapter.throwOnErrors = true;
  // A call that times out frees the lock: a hung adapter must not block every later call (the stuck
  // operation may still land, which only a hung backend can cause).
  const exclusive = <T>(operation: () => Promise<T>): Promise<T> => {
    const run = (queues.get(keyv) ?? Promise.resolve()).then(() => storeCall(operation, { timeout }));
    queues.set(
      keyv,
      run.catch(() => undefined),
    );
    return run;
  };
  const write = async (id: string, value: string): Promise<void> => {
    if ((await keyv.set(id, value)) === false) throw new Error('keyv adapter refused the write');
  };
  const read = async (id: string): Promise<string | undefined> => {
    const value: unknown = await keyv.get(id);
    return typeof value === 'string' ? value : undefined;
  };
  return {
    namespace,
    get: async (id) => (assertStoreId(id), exclusive(() => read(id))),
    list: () =>
      exclusive(async () => {
        if (!keyv.iterator) throw new Error('keyv adapter cannot iterate');
        const entries: KeyStoreEntry[] = [];
        for await (const [id, value] of keyv.iterator(keyv.namespace)) {
          if (typeof id === 'string' && typeof value === 'string') entries.push({ id, value });
        }
        return entries;
      }),
    createIfAbsent: async (id, value) => (
      assertStoreId(id),
      exclusive(async () => {
        if ((await read(id)) !== undefined) return false;
        await write(id, value);
        return true;
      })
    ),
    update: async (id, value, expected) => (
      assertStoreId(id),
      exclusive(async () => {
        const current = await read(id);
        if (current === undefined || (expected !== undefined && current !== expected)) return false;
        await write(id, value);
        return true;
      })
    ),
    delete: async (id) => (assertStoreId(id), exclusive(() => keyv.delete(id))),
    close: async () => undefined,
  };
}
