import Keyv from 'keyv';
import { configError, importOptional } from '@org/core/internal';
import { BoundedMemoryStore } from './bounded-memory-store.ts';
import { SqliteDenylistStore } from './sqlite-denylist-store.ts';

/** The denylist's store once opened: the keyv instance, whether the denylist owns it, and its reach. */
export interface DenylistStore {
  /** The keyv instance; a promise while an optional adapter package loads. */
  keyv: Keyv | Promise<Keyv>;
  /** Opened here (from a URL or the default), so the denylist closes it. */
  owned: boolean;
  /** Whether other processes see its entries: false for an in-memory store. */
  shared: boolean;
  /** The default in-process store under `keyv`, which the denylist reads and writes directly. */
  memory?: BoundedMemoryStore;
}

/** The `store` forms, for messages. @internal */
export const DENYLIST_STORE_FORMS =
  'a Keyv instance, or a redis://, rediss://, postgres://, postgresql:// or sqlite:// URL';

/** The adapter to open for each URL scheme: the optional peer dependency and how to construct it. */
const ADAPTERS: Record<string, (url: string) => Promise<unknown>> = {
  redis: async (url) => {
    const { default: KeyvRedis } = await importOptional(
      '@keyv/redis',
      'A redis:// denylist',
      () => import('@keyv/redis'),
    );
    return new KeyvRedis(url);
  },
  postgres: async (url) => {
    const { default: KeyvPostgres } = await importOptional(
      '@keyv/postgres',
      'A postgres:// denylist',
      () => import('@keyv/postgres'),
    );
    return new KeyvPostgres({ uri: url });
  },
  // The file path after sqlite:// (relative, absolute, or :memory:), on better-sqlite3.
  sqlite: async (url) => new SqliteDenylistStore(url.slice('sqlite://'.length)),
};
const SCHEMES: Record<string, keyof typeof ADAPTERS> = {
  redis: 'redis',
  rediss: 'redis',
  postgres: 'postgres',
  postgresql: 'postgres',
  sqlite: 'sqlite',
};

function isKeyv(value: unknown): value is Keyv {
  const v = value as { get?: unknown; set?: unknown } | null;
  return v !== null && typeof v === 'object' && typeof v.get === 'function' && typeof v.set === 'function';
}

/**
 * keyv reads a backend error as "not found" unless told otherwise; for a denylist that would read as
 * "not revoked", so errors are turned on, on the instance and its adapter.
 */
function throwOnErrors(keyv: Keyv): Keyv {
  keyv.throwOnErrors = true;
  const adapter = (keyv as { opts?: { store?: { throwOnErrors?: unknown } } }).opts?.store;
  if (adapter && typeof adapter.throwOnErrors === 'boolean') adapter.throwOnErrors = true;
  return keyv;
}

/**
 * Opens the store a denylist is configured with: a Keyv instance as given; a URL through the keyv adapter
 * of its scheme (`@keyv/redis`, `@keyv/postgres`, or better-sqlite3 for a file: optional peers, loaded on
 * demand); none:
 * an in-process store of at most `maxEntries` entries.
 * @throws BadRequest (`invalid-configuration`) for anything else, naming the accepted forms, and for
 * `maxEntries` given with a store of the caller's.
 * @internal
 */
export function openDenylistStore(
  store: unknown,
  maxEntries: number | undefined,
  setting: string,
): DenylistStore {
  if (store !== undefined && maxEntries !== undefined) {
    throw configError(
      `'${setting}.maxEntries' bounds the in-process store only; it does not apply with a 'store'`,
    );
  }
  if (store === undefined) {
    const limit = maxEntries ?? 100_000;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw configError(`'${setting}.maxEntries' must be a positive integer`);
    }
    const memory = new BoundedMemoryStore(limit);
    return { keyv: throwOnErrors(new Keyv({ store: memory })), owned: true, shared: false, memory };
  }
  if (isKeyv(store)) {
    const adapter = (store as { opts?: { store?: unknown } }).opts?.store;
    return {
      keyv: throwOnErrors(store),
      owned: false,
      shared: !(adapter instanceof Map) && !(adapter instanceof BoundedMemoryStore),
    };
  }
  if (typeof store === 'string') {
    if (store.startsWith('sqlite://') && store.length === 'sqlite://'.length) {
      throw configError(`'${setting}.store' must name a file: sqlite://PATH`);
    }
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(store)?.[1]?.toLowerCase();
    const adapter = scheme === undefined ? undefined : SCHEMES[scheme];
    if (adapter !== undefined) {
      const keyv = ADAPTERS[adapter]!(store).then((opened) =>
        throwOnErrors(new Keyv({ store: opened as never })),
      );
      keyv.catch(() => undefined); // reported by ready() and by each call
      return { keyv, owned: true, shared: true };
    }
  }
  throw configError(`'${setting}.store' must be ${DENYLIST_STORE_FORMS}`);
}
