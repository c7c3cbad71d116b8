import type { EntityService, Id } from './entity-service.ts';
import { didYouMean } from './did-you-mean.ts';
import { BadRequest } from './errors.ts';
import { cloneJson, isJsonTree, jsonCopier } from './json-clone.ts';

/** Options of {@link EntityCache}. */
export interface EntityCacheOptions {
  /**
   * The most entities kept; the least recently used one is evicted beyond it.
   * @defaultValue 1000
   */
  max?: number;
  /**
   * How long an entity is served from the cache, in milliseconds. It bounds how stale an entry
   * can be when its change happens where this process does not hear it (another instance).
   * @defaultValue 5000
   */
  ttl?: number;
  /**
   * The clock, in milliseconds.
   * @defaultValue `Date.now`
   */
  now?: () => number;
}

interface Entry {
  value: Promise<unknown>;
  expires: number;
  // How a caller's copy is made, set once the load resolves: jsonCopier's choice for a JSON tree (a spread
  // or cloneJson; then `value` is the cache's own copy, so nobody can later put a Date in it), else
  // structuredClone.
  copy: <V>(value: V) => V;
  // Set with `held` once the load resolved: what `peek` may answer without waiting.
  settled: boolean;
  held: unknown;
}

type Listener = (record: unknown) => void;

/** What the cache needs of a service with events: Node's EventEmitter signature, any event name. */
interface Emitter {
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
}

interface Subscription {
  service: Emitter;
  prefix: string;
  listener: Listener;
}

// `updated` is not in the EntityService contract, but a Feathers service emits it for `update` (a full
// replace, such as a PUT that disables a user): without it that change would be served until the TTL.
const EVENTS = ['patched', 'updated', 'removed'] as const;
const SETTINGS = ['max', 'ttl'];

/**
 * A bounded (LRU) cache of entities with a TTL, for the per-request entity lookup of the JWT
 * strategy. Each entry is dropped as soon as the entity service emits `patched`, `removed` (or, as a
 * Feathers service does for `update`, `updated`) for its id, so a deleted or disabled user is refused
 * on the next request in this process.
 *
 * - Services without `on`/`off` cannot tell the cache about changes: their lookups are never cached.
 * - Concurrent lookups of one id share one `load`; a change event during a load keeps its result out
 *   of the cache; a failed load is never cached.
 * - Every `get` resolves with a fresh copy of the entity (a plain recursive copy when the entity is a
 *   JSON tree, else a `structuredClone`), so a caller that mutates its copy cannot change what the
 *   next request sees.
 *
 * @example
 * ```ts
 * const cache = new EntityCache({ max: 1000, ttl: 5000 });
 * const user = await cache.get(users, id, () => users.get(id));
 * // later
 * cache.close();
 * ```
 */
export class EntityCache {
  /** The most entities kept. */
  readonly max: number;
  /** The time to live of an entry, in milliseconds. */
  readonly ttl: number;
  readonly #now: () => number;
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the LRU one.
  readonly #entries = new Map<string, Entry>();
  readonly #subscriptions = new Map<EntityService<any>, Subscription>();
  // Every variant ever used (a handful: '' and one per provider), so an id's entries can be dropped
  // without scanning the whole map.
  readonly #variants: string[] = [];
  #closed = false;
  #services = 0;
  // The key last put at the end of `#entries` (the most recently used one, while it is still held).
  #newest: string | undefined;

  /**
   * @param options - Size, TTL and clock.
   * @throws BadRequest (`invalid-configuration`) when `max` is not a positive integer or `ttl` is
   * not a finite number >= 0.
   */
  constructor(options: EntityCacheOptions = {}) {
    const { max = 1000, ttl = 5000, now = Date.now } = options;
    if (!Number.isInteger(max) || max < 1) {
      throw new BadRequest(`entityCache.max must be a positive integer, got ${show(max)}`, {
        reason: 'invalid-configuration',
      });
    }
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) {
      throw new BadRequest(`entityCache.ttl must be a number of milliseconds >= 0, got ${show(ttl)}`, {
        reason: 'invalid-configuration',
      });
    }
    this.max = max;
    this.ttl = ttl;
    this.#now = now;
  }

  /**
   * The cache described by the `authentication.entityCache` setting: none when it is absent (the
   * default: every request reads the entity service), else one with its `max` and `ttl`.
   *
   * @param settings - The value of `authentication.entityCache`.
   * @returns The cache, or `undefined` when `settings` is `undefined` or `null`.
   * @throws BadRequest (`invalid-configuration`) for a value that is not an object, an unknown key
   * (with a did-you-mean hint) or a bad `max`/`ttl`.
   * @example
   * ```ts
   * const cache = EntityCache.fromConfiguration({ ttl: 5000 }); // authentication.entityCache
   * ```
   */
  static fromConfiguration(settings: unknown): EntityCache | undefined {
    if (settings === undefined || settings === null) return undefined;
    if (typeof settings !== 'object' || Array.isArray(settings)) {
      throw new BadRequest(`'authentication.entityCache' must be an object`, {
        reason: 'invalid-configuration',
      });
    }
    for (const key of Object.keys(settings)) {
      if (!SETTINGS.includes(key)) {
        const hint = didYouMean(key, SETTINGS);
        throw new BadRequest(
          `Unknown option 'authentication.entityCache.${key}'.` +
            (hint === undefined ? '' : ` Did you mean '${hint}'?`),
          { reason: 'invalid-configuration' },
        );
      }
    }
    const { max, ttl } = settings as EntityCacheOptions;
    return new EntityCache({ max, ttl });
  }

  /** The number of entries currently held (expired ones included until they are touched). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The entity `id` of `service`, from the cache or from `load`.
   *
   * @param service - The entity service the id belongs to; the cache subscribes to its change events.
   * @param id - The entity id (`1` and `'1'` are the same entry, as ids round-trip as strings).
   * @param load - Fetches the entity on a miss (usually `() => service.get(id, params)`).
   * @param variant - Which view of the entity this is, when one id has several (the JWT strategy keeps
   *   the internal record apart from what an external call with a given `provider` returns); every
   *   variant of an id is dropped together on a change event or {@link EntityCache.invalidate}.
   *   @defaultValue `''`
   * @returns A copy of the entity.
   * @throws whatever `load` throws (for example `NotFound`); failures are not cached.
   */
  async get<T>(service: EntityService<T>, id: Id, load: () => Promise<T>, variant = ''): Promise<T> {
    const subscription = this.#closed ? undefined : this.#subscribe(service);
    if (subscription === undefined) return load();

    if (!this.#variants.includes(variant)) this.#variants.push(variant);
    const key = entryKey(subscription.prefix, variant, id);
    const now = this.#now();
    const hit = this.#entries.get(key);
    if (hit !== undefined && hit.expires > now) {
      this.#touch(key, hit);
      const value = (await hit.value) as T;
      return hit.copy(value);
    }

    const entry: Entry = {
      value: Promise.resolve(load()).then((value) => keep(entry, value)),
      expires: now + this.ttl,
      copy: structuredClone,
      settled: false,
      held: undefined,
    };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#newest = key;
    this.#evict();
    try {
      const value = await entry.value;
      // Only an entry no change event has replaced since the load started is kept fresh.
      if (this.#entries.get(key) === entry) entry.expires = this.#now() + this.ttl;
      return entry.copy(value as T);
    } catch (error) {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
      throw error;
    }
  }

  /**
   * The entity `id` of `service` from the cache alone, synchronously: a fresh copy of a loaded, unexpired
   * entry (now the most recently used), else `undefined`. It never loads, never subscribes, and never
   * waits for a load under way; a guard answering from its caches uses it, then falls back to
   * {@link EntityCache.get}.
   *
   * @param service - The entity service the id belongs to.
   * @param id - The entity id.
   * @param variant - Which view of the entity, as for {@link EntityCache.get}. @defaultValue `''`
   * @returns A copy of the entity, or `undefined` when the cache cannot answer at once.
   */
  peek<T>(service: EntityService<T>, id: Id, variant = ''): T | undefined {
    const subscription = this.#subscriptions.get(service);
    if (subscription === undefined) return undefined;
    const key = entryKey(subscription.prefix, variant, id);
    const hit = this.#entries.get(key);
    if (hit === undefined || !hit.settled || hit.expires <= this.#now()) return undefined;
    this.#touch(key, hit);
    return hit.copy(hit.held as T);
  }

  /**
   * Drops the entry of `id`, for one service or (without `service`) for every service.
   * @param id - The entity id.
   * @param service - The service it belongs to; all services when omitted.
   */
  invalidate(id: Id, service?: EntityService<any>): void {
    const subscriptions =
      service === undefined ? [...this.#subscriptions.values()] : [this.#subscriptions.get(service)];
    for (const subscription of subscriptions) {
      if (subscription !== undefined) this.#drop(subscription.prefix, id);
    }
  }

  /** Drops every entry; subscriptions stay. */
  clear(): void {
    this.#entries.clear();
  }

  /** Drops every entry and unsubscribes from every service; later lookups go straight to `load`. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const { service, listener } of this.#subscriptions.values()) {
      for (const event of EVENTS) service.off(event, listener);
    }
    this.#subscriptions.clear();
    this.#entries.clear();
  }

  #subscribe(service: EntityService<any>): Subscription | undefined {
    const existing = this.#subscriptions.get(service);
    if (existing !== undefined) return existing;
    if (typeof service.on !== 'function' || typeof service.off !== 'function') return undefined;

    const idField = service.id ?? 'id';
    // A NUL cannot appear in the number, so prefixes never collide with each other's ids.
    const prefix = `${this.#services++}\u0000`;
    const listener: Listener = (record) => {
      const id = (record as Record<string, unknown> | null)?.[idField];
      if (typeof id === 'string' || typeof id === 'number') this.#drop(prefix, id);
    };
    const emitter = service as EntityService<any> & Emitter;
    for (const event of EVENTS) emitter.on(event, listener);
    const subscription = { service: emitter, prefix, listener };
    this.#subscriptions.set(service, subscription);
    return subscription;
  }

  // Makes `key` the most recently used entry: re-inserted at the end of the map's order, unless it is
  // there already (a user's repeat requests then cost no map writes).
  #touch(key: string, entry: Entry): void {
    if (key === this.#newest) return;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#newest = key;
  }

  #drop(prefix: string, id: Id): void {
    for (const variant of this.#variants) this.#entries.delete(entryKey(prefix, variant, id));
  }

  #evict(): void {
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.max) return;
      this.#entries.delete(key);
    }
  }
}

// What the entry holds of a loaded value: its own copy of a JSON tree, or the value itself.
function keep(entry: Entry, value: unknown): unknown {
  let held = value;
  if (isJsonTree(value)) {
    held = cloneJson(value);
    // A record without nested objects (the usual user) is copied by a spread, the cheaper copy every hit pays.
    entry.copy = jsonCopier(held) as Entry['copy'];
  }
  entry.held = held;
  entry.settled = true;
  return held;
}

// JSON.stringify escapes NUL, so the variant ends at the first raw NUL after the prefix: no variant and
// id pair can collide with another.
function entryKey(prefix: string, variant: string, id: Id): string {
  return `${prefix}${variant === '' ? '' : JSON.stringify(variant)}\u0000${String(id)}`;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
