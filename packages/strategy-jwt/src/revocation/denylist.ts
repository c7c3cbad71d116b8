import { BadRequest, Unavailable } from '@org/core';
import { assertKnownOptions } from '@org/core/internal';
import type Keyv from 'keyv';
import type { RevocationCheck } from '../token/revocation-check.ts';
import { DenylistKeys } from './denylist-key.ts';
import { InProcessEntries } from './in-process-entries.ts';
import { openDenylistStore } from './open-denylist-store.ts';

/** The verified claims the denylist reads. */
export interface RevocablePayload {
  /** Issuer; tokens of different issuers never share an entry. */
  iss?: unknown;
  /** Token id, the denylist key. */
  jti?: unknown;
  /** Subject, for "revoke all tokens of a user". */
  sub?: unknown;
  /** Expiry (seconds), which bounds the entry's lifetime. */
  exp?: unknown;
  /** Issued-at (seconds), compared with a subject-wide revocation. */
  iat?: unknown;
  [claim: string]: unknown;
}

/** Options of {@link createDenylist}. */
export interface DenylistOptions {
  /**
   * Where the entries live: a keyv instance, or the URL of one (`redis://`, `rediss://`, `postgres://`,
   * `postgresql://`, `sqlite://PATH`, opened with `@keyv/redis`, `@keyv/postgres` or `better-sqlite3`,
   * optional peer dependencies). Share it across instances, or a token revoked on one is still accepted by the
   * others. Give the denylist its own keyv instance: it turns on `throwOnErrors` (on the instance and its
   * adapter), because a swallowed store error would read as "not revoked".
   * @defaultValue an in-process store (this process only) of at most `maxEntries` entries
   */
  store?: Keyv | string;
  /**
   * The most entries the default in-process store holds; when every one is still live, a revocation
   * fails (`Unavailable`) rather than push out another. Not with `store`.
   * @defaultValue 100000
   */
  maxEntries?: number;
  /** Prefix of every key. @defaultValue 'revoked' */
  namespace?: string;
  /** Seconds an entry outlives the token's `exp`: the verifiers' clock tolerance. @defaultValue 60 */
  tolerance?: number;
  /**
   * The longest token lifetime in seconds: how long a subject-wide revocation is kept, and the
   * entry lifetime for a token without `exp`. @defaultValue 86400
   */
  maxTokenLifetime?: number;
  /**
   * What {@link Denylist.isRevoked} does when the store fails or times out: `'closed'` refuses the
   * token (`Unavailable`, 503), `'open'` lets it through and reports the error to `onError`.
   * @defaultValue 'closed'
   */
  failMode?: 'closed' | 'open';
  /** Milliseconds a store operation may take before it counts as failed. @defaultValue 1000 */
  timeout?: number;
  /** Called with each store error (never with a token). @defaultValue a no-op */
  onError?: (error: unknown) => void;
  /** The clock in epoch milliseconds. @defaultValue `Date.now` */
  clock?: () => number;
}

const FAIL_MODES = ['closed', 'open'] as const;
const OPTIONS = [
  'store',
  'maxEntries',
  'namespace',
  'tolerance',
  'maxTokenLifetime',
  'failMode',
  'timeout',
  'onError',
  'clock',
] as const;

function invalid(message: string): BadRequest {
  return new BadRequest(message, { reason: 'invalid-configuration' });
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(`Denylist ${name} must be a number >= 0`);
  }
  return value;
}

function storeUnavailable(cause: unknown): Unavailable {
  return new Unavailable('Revocation store unavailable', { reason: 'store-unavailable', cause });
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function seconds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Whether a subject-wide cut-off (epoch ms) refuses a token issued at `iat` (seconds; none: before). */
function revokedBy(cutoff: unknown, iat: unknown): boolean {
  if (typeof cutoff !== 'number') return false;
  const issued = seconds(iat);
  return issued === undefined || issued * 1000 <= cutoff;
}

/**
 * A `jti` denylist on keyv: revoked tokens are refused on every instance sharing the store until
 * they would have expired anyway, and then their entries are gone. Entries are keyed on the
 * verified `iss` + `jti`, never on the raw token string (a JWS has many encodings of one token).
 * Implements the token service's `RevocationCheck`.
 *
 * @example
 * ```ts
 * const denylist = createDenylist({ store: new Keyv(new KeyvRedis(process.env.REDIS_URL)) });
 * const tokens = new TokenService({ keyRing, revocation: denylist });
 * await denylist.revokeAllForSubject('https://auth.example.com', userId);
 * ```
 */
export class Denylist implements RevocationCheck {
  readonly #store: Keyv | Promise<Keyv>;
  /** The default in-process store, read and written synchronously (no keyv layers, no timer). */
  readonly #memory: InProcessEntries | undefined;
  readonly #owned: boolean;
  readonly #shared: boolean;
  readonly #keys: DenylistKeys;
  readonly #tolerance: number;
  readonly #maxTokenLifetime: number;
  readonly #failMode: 'closed' | 'open';
  readonly #timeout: number;
  readonly #onError: (error: unknown) => void;
  readonly #clock: () => number;

  /**
   * @param options - See {@link DenylistOptions}.
   * @throws BadRequest `invalid-configuration` on an unknown option (with a did-you-mean hint), a store of
   * another form, or a bad value.
   */
  constructor(options: DenylistOptions = {}) {
    if (options === null || typeof options !== 'object') throw invalid('Denylist options must be an object');
    assertKnownOptions(options, OPTIONS, 'createDenylist');
    const opened = openDenylistStore(options.store, options.maxEntries, 'revocation');
    const failMode = options.failMode ?? 'closed';
    if (!FAIL_MODES.includes(failMode)) {
      throw invalid(`Denylist failMode must be 'closed' or 'open', not '${String(failMode)}'`);
    }
    if (
      options.namespace !== undefined &&
      (typeof options.namespace !== 'string' || options.namespace === '')
    ) {
      throw invalid('Denylist namespace must be a non-empty string');
    }
    this.#store = opened.keyv;
    this.#memory = opened.memory && new InProcessEntries(opened.memory);
    this.#owned = opened.owned;
    this.#shared = opened.shared;
    this.#keys = new DenylistKeys(options.namespace ?? 'revoked');
    this.#tolerance = nonNegative('tolerance', options.tolerance, 60);
    this.#maxTokenLifetime = nonNegative('maxTokenLifetime', options.maxTokenLifetime, 86_400);
    this.#timeout = nonNegative('timeout', options.timeout, 1000);
    this.#failMode = failMode;
    this.#onError = options.onError ?? (() => {});
    this.#clock = options.clock ?? Date.now;
  }

  /**
   * Whether other processes see this denylist's entries: false for the in-process store (a token
   * revoked here is still accepted by other instances).
   */
  get shared(): boolean {
    return this.#shared;
  }

  /**
   * Resolves once the store is open (a URL store loads its keyv adapter on first use).
   * @throws BadRequest `missing-package` when the adapter package of the URL is not installed.
   */
  async ready(): Promise<void> {
    await this.#store;
  }

  /** Disconnects a store this denylist opened itself (from a URL, or the default); one given is left open. */
  async close(): Promise<void> {
    if (!this.#owned) return;
    const store = await Promise.resolve(this.#store).catch(() => undefined);
    await store?.disconnect().catch(() => undefined);
  }

  /** Seconds an entry outlives the token's `exp`; see {@link DenylistOptions.tolerance}. */
  get tolerance(): number {
    return this.#tolerance;
  }

  /** Seconds a subject-wide revocation is kept; see {@link DenylistOptions.maxTokenLifetime}. */
  get maxTokenLifetime(): number {
    return this.#maxTokenLifetime;
  }

  /**
   * Denylists one verified token until it would have expired (`exp` + tolerance). A token that has
   * already expired is not stored. Idempotent.
   * @param payload - The verified payload.
   * @throws BadRequest `bad-request` when the token has no `jti`.
   * @throws Unavailable `store-unavailable` when the store fails (whatever the fail mode: a logout
   * must not look successful when it was not).
   */
  async revoke(payload: RevocablePayload): Promise<void> {
    const jti = text(payload?.jti);
    if (jti === undefined) throw new BadRequest('Token has no jti claim and cannot be revoked');
    const now = this.#clock();
    const exp = seconds(payload.exp);
    const until = (exp ?? now / 1000 + this.#maxTokenLifetime) * 1000 + this.#tolerance * 1000;
    const ttl = Math.ceil(until - now);
    if (ttl <= 0) return;
    const key = this.#key('jti', payload.iss, jti);
    const memory = this.#memory;
    if (memory !== undefined) return this.#inProcess(() => memory.set('jti', key, 1, ttl));
    await this.#call((store) => store.set(key, 1, ttl));
  }

  /**
   * Revokes every token of `sub` from `iss` issued at or before `before` (by `iat`; a token without
   * `iat` counts as issued before). Kept for `maxTokenLifetime` + tolerance after `before`.
   * A token issued within the same second as `before` is refused too: `iat` has one-second precision.
   * @param iss - The issuer (`''` when tokens carry none).
   * @param sub - The subject (user id).
   * @param before - The cut-off, epoch milliseconds or a Date. @defaultValue now
   * @throws Unavailable `store-unavailable` when the store fails.
   */
  async revokeAllForSubject(iss: string, sub: string, before: number | Date = this.#clock()): Promise<void> {
    const cutoff = before instanceof Date ? before.getTime() : before;
    if (typeof sub !== 'string' || sub === '' || !Number.isFinite(cutoff)) {
      throw new BadRequest('A subject and a valid cut-off time are required');
    }
    const key = this.#key('sub', iss, sub);
    const ttl = Math.ceil(cutoff + (this.#maxTokenLifetime + this.#tolerance) * 1000 - this.#clock());
    if (ttl <= 0) return;
    const memory = this.#memory;
    if (memory !== undefined) {
      return this.#inProcess(() => {
        const current = memory.get(key);
        if (typeof current !== 'number' || current < cutoff) memory.set('sub', key, cutoff, ttl);
      });
    }
    const current = await this.#call((store) => store.get<number>(key));
    // Keep the latest cut-off: an older one must never shorten a newer "revoke all".
    if (typeof current === 'number' && current >= cutoff) return;
    await this.#call((store) => store.set(key, cutoff, ttl));
  }

  /**
   * True when the verified token is denylisted or its subject was revoked after it was issued.
   * @param payload - The verified payload.
   * @throws Unavailable `store-unavailable` when the store fails and the fail mode is `'closed'`.
   */
  async isRevoked(payload: RevocablePayload): Promise<boolean> {
    const jti = text(payload?.jti);
    const sub = text(payload?.sub);
    if (jti === undefined && sub === undefined) return false;
    if (this.#memory !== undefined) {
      // Synchronous: the answer is settled when this returns, with no await hop in between.
      try {
        return this.#listedInMemory(this.#memory, payload, jti, sub);
      } catch (error) {
        this.#onError(error);
        if (this.#failMode === 'closed') throw storeUnavailable(error);
        return false;
      }
    }
    try {
      const [listed, cutoff] = await this.#call((store) =>
        Promise.all([
          jti === undefined ? undefined : store.get(this.#key('jti', payload.iss, jti)),
          sub === undefined ? undefined : store.get<number>(this.#key('sub', payload.iss, sub)),
        ]),
      );
      if (listed !== undefined) return true;
      return revokedBy(cutoff, payload.iat);
    } catch (error) {
      if (this.#failMode === 'closed') throw error;
      return false;
    }
  }

  /**
   * {@link Denylist.isRevoked}'s answer without waiting, for the in-process store; `undefined` with a
   * shared store (only a round trip knows) or when the in-process store fails (`isRevoked` then reports it
   * and applies the fail mode).
   * @param payload - The verified payload.
   */
  isRevokedNow(payload: RevocablePayload): boolean | undefined {
    const jti = text(payload?.jti);
    const sub = text(payload?.sub);
    if (jti === undefined && sub === undefined) return false;
    if (this.#memory === undefined) return undefined;
    try {
      return this.#listedInMemory(this.#memory, payload, jti, sub);
    } catch {
      return undefined;
    }
  }

  // Skips a lookup (with its key digest) while no entry of that kind was ever written: it would miss.
  #listedInMemory(
    memory: InProcessEntries,
    payload: RevocablePayload,
    jti: string | undefined,
    sub: string | undefined,
  ): boolean {
    const listed =
      jti === undefined || !memory.hasTokens ? undefined : memory.get(this.#key('jti', payload.iss, jti));
    if (listed !== undefined) return true;
    const cutoff =
      sub === undefined || !memory.hasSubjects ? undefined : memory.get(this.#key('sub', payload.iss, sub));
    return revokedBy(cutoff, payload.iat);
  }

  /** Runs a write on the in-process store; a failure (full) is reported as the keyv path reports it. */
  #inProcess(write: () => void): void {
    try {
      write();
    } catch (error) {
      this.#onError(error);
      throw storeUnavailable(error);
    }
  }

  #key(kind: 'jti' | 'sub', iss: unknown, id: string): string {
    return this.#keys.key(kind, typeof iss === 'string' ? iss : '', id);
  }

  async #call<T>(operation: (store: Keyv) => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      // A client that queues commands while disconnected never settles: bound every call.
      timer = setTimeout(
        () => reject(new Error(`store operation timed out after ${this.#timeout} ms`)),
        this.#timeout,
      );
    });
    try {
      // A store still loading its adapter is awaited inside the same deadline.
      const store = this.#store;
      const running = store instanceof Promise ? store.then(operation) : operation(store);
      return await Promise.race([running, timeout]);
    } catch (error) {
      this.#onError(error);
      throw storeUnavailable(error);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Creates a {@link Denylist}.
 * @param options - See {@link DenylistOptions}; none gives an in-process denylist (this process only).
 * @throws BadRequest `invalid-configuration` on an unknown option, a store of another form or a bad value.
 * @example
 * ```ts
 * const shared = createDenylist({ store: process.env.REDIS_URL, failMode: 'closed' }); // every instance
 * const local = createDenylist(); // one process, at most 100000 live entries
 * ```
 */
export function createDenylist(options: DenylistOptions = {}): Denylist {
  return new Denylist(options);
}
