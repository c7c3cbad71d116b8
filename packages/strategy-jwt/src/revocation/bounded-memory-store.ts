/**
 * The in-process store of the default denylist: a keyv storage adapter over a `Map` that never holds more
 * than `maxEntries` entries. Expired entries make room first; when every entry is still live the write
 * fails, so the revocation is reported as failed (invariant 5) instead of silently pushing out another one.
 * @internal
 */
export class BoundedMemoryStore {
  readonly #entries = new Map<string, { value: unknown; expiresAt: number }>();
  readonly #maxEntries: number;
  readonly #clock: () => number;
  /** Set by keyv. */
  namespace: string | undefined;

  /**
   * @param maxEntries - The most entries it holds.
   * @param clock - The clock in epoch milliseconds (keyv computes expiry with `Date.now`).
   */
  constructor(maxEntries: number, clock: () => number = Date.now) {
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  /** The number of entries held, expired or not. */
  get size(): number {
    return this.#entries.size;
  }

  get(key: string): unknown {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#clock()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: unknown, ttl?: number): boolean {
    if (!this.#entries.has(key) && this.#entries.size >= this.#maxEntries) {
      this.#purgeExpired();
      if (this.#entries.size >= this.#maxEntries) {
        throw new Error(`the in-process denylist holds ${this.#maxEntries} live entries (maxEntries)`);
      }
    }
    const expiresAt = typeof ttl === 'number' && ttl > 0 ? this.#clock() + ttl : Infinity;
    this.#entries.set(key, { value, expiresAt });
    return true;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  #purgeExpired(): void {
    const now = this.#clock();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}
