import { configError } from '@org/core/internal';

/**
 * Where one-time codes wait for their exchange: a Keyv-like store (`new Keyv(new KeyvRedis(url))` fits
 * as it is). `delete` MUST resolve `true` for exactly one caller when several delete one key at once
 * (Redis' `DEL` count does): that is what makes a code single-use across instances.
 */
export interface OneTimeCodeStore {
  /** The value at `key`, or `undefined`. @param key - The key. */
  get(key: string): unknown;
  /**
   * Stores `value` at `key` for `ttl` milliseconds.
   * @param key - The key.
   * @param value - A JSON-serialisable record.
   * @param ttl - Milliseconds to keep it.
   */
  set(key: string, value: unknown, ttl?: number): unknown;
  /** Removes `key`; resolves `true` when it was there. @param key - The key. */
  delete(key: string): boolean | Promise<boolean>;
}

/** Options of {@link memoryCodeStore}. */
export interface MemoryCodeStoreOptions {
  /**
   * The most codes kept at once; past it the oldest is dropped (each code needs a whole provider login,
   * so filling it is costly, and a dropped code only means that user logs in again).
   * @defaultValue `10000`
   */
  maxEntries?: number;
}

/**
 * The default one-time code store: in this process's memory, bounded, each entry gone after its TTL.
 * With several instances behind a load balancer use a shared store (Redis through Keyv) instead, or
 * the exchange may reach an instance that never saw the code.
 *
 * @param options - The bound.
 * @returns The store.
 * @throws BadRequest `invalid-configuration` for a bound that is not a positive integer.
 * @example
 * ```ts
 * const auth = new AuthenticationService({ ..., oauth: { redirect, codeStore: memoryCodeStore({ maxEntries: 1000 }) } });
 * ```
 */
export function memoryCodeStore(options: MemoryCodeStoreOptions = {}): OneTimeCodeStore {
  const { maxEntries = 10_000 } = options;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw configError('memoryCodeStore(): maxEntries must be a positive integer');
  }
  const entries = new Map<string, { value: unknown; expiresAt: number }>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry !== undefined && entry.expiresAt <= Date.now()) entries.delete(key);
    return entries.get(key);
  };
  return {
    get: (key) => live(key)?.value,
    set(key, value, ttl = 60_000) {
      const now = Date.now();
      for (const [k, entry] of entries) if (entry.expiresAt <= now) entries.delete(k);
      while (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { value, expiresAt: now + ttl });
    },
    delete: (key) => live(key) !== undefined && entries.delete(key),
  };
}
