import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { TooManyRequests, Unavailable, toAuthError, type AuthError } from '@org/core';
import { assertKnownOptions, configError } from '@org/core/internal';
import { addressKey } from './client-address.ts';
import { memoryRateLimitStore, type RateLimitStore } from './rate-limit-store.ts';

/** The bounds of one limiter. */
export interface RateLimitBounds {
  /** Failed attempts allowed within `duration`; the next failure blocks the key. */
  points: number;
  /** The counting window, in seconds, from the first failure. */
  duration: number;
  /** How long a blocked key stays blocked, in seconds. */
  blockDuration: number;
}

/**
 * Bounds of failed logins per account: 10 failures in 15 minutes, then 15 minutes blocked.
 * A successful login of the account resets its count.
 */
export const DEFAULT_ACCOUNT_LIMIT: Readonly<RateLimitBounds> = Object.freeze({
  points: 10,
  duration: 900,
  blockDuration: 900,
});

/** Bounds of failed logins per client address: 100 failures in an hour, then an hour blocked. */
export const DEFAULT_ADDRESS_LIMIT: Readonly<RateLimitBounds> = Object.freeze({
  points: 100,
  duration: 3600,
  blockDuration: 3600,
});

/** Settings of the login rate limiter (`rateLimit` of the transport). */
export interface LoginRateLimitOptions {
  /**
   * Where the counters live.
   * @defaultValue {@link memoryRateLimitStore}`()`
   */
  store?: RateLimitStore;
  /**
   * Bounds per account (the normalised username); `false` turns this limiter off.
   * @defaultValue {@link DEFAULT_ACCOUNT_LIMIT}
   */
  account?: Partial<RateLimitBounds> | false;
  /**
   * Bounds per client address (IPv6 by /64); `false` turns this limiter off.
   * @defaultValue {@link DEFAULT_ADDRESS_LIMIT}
   */
  address?: Partial<RateLimitBounds> | false;
  /**
   * The strategies whose failures count.
   * @defaultValue every strategy but `jwt` (token re-authentication is never counted)
   */
  strategies?: readonly string[];
  /**
   * The (dot path of the) username in the login body.
   * @defaultValue the strategy's own `usernameField` (`authentication.local.usernameField`), else `'email'`
   */
  usernameField?: string;
  /**
   * Prefix of every counter key, so several applications can share one store.
   * @defaultValue `'org_login'`
   */
  keyPrefix?: string;
}

/** The configuration the limiter reads a strategy's `usernameField` from. */
export type StrategyConfigurations = () => Readonly<Record<string, unknown>>;

/** One login attempt being counted. */
export interface LoginAttempt {
  /** Counts a failure (a 401); rejects with `TooManyRequests` when it was one too many. */
  failed(error: unknown): Promise<void>;
  /** Resets the account's count after a successful login. */
  succeeded(): Promise<void>;
}

const KNOWN = ['store', 'account', 'address', 'strategies', 'usernameField', 'keyPrefix'];
const BOUNDS = ['points', 'duration', 'blockDuration'];

function bounds(
  given: Partial<RateLimitBounds> | false | undefined,
  defaults: Readonly<RateLimitBounds>,
  label: string,
): RateLimitBounds | undefined {
  if (given === false) return undefined;
  if (given !== undefined && (given === null || typeof given !== 'object')) {
    throw configError(`rateLimit.${label} must be false or { points, duration, blockDuration }`);
  }
  assertKnownOptions(given ?? {}, BOUNDS, `rateLimit.${label}`);
  const merged = { ...defaults, ...given };
  for (const name of BOUNDS as Array<keyof RateLimitBounds>) {
    const value = merged[name];
    const min = name === 'blockDuration' ? 0 : 1;
    if (!Number.isInteger(value) || value < min) {
      throw configError(`rateLimit.${label}.${name} must be a whole number >= ${min}`);
    }
  }
  return merged;
}

function readPath(data: Record<string, unknown>, path: string): unknown {
  let value: unknown = data;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Buffer.from(digest).toString('hex');
}

function retryAfter(...results: Array<RateLimiterRes | null | undefined>): number {
  const ms = Math.max(0, ...results.map((result) => result?.msBeforeNext ?? 0));
  return Math.max(1, Math.ceil(ms / 1000));
}

/** The one message of every 429: it never says whether the account exists or which limit was hit. */
function tooMany(seconds: number): TooManyRequests {
  return new TooManyRequests('Too many failed login attempts, try again later', {
    data: { retryAfter: seconds },
  });
}

/**
 * Counts failed logins per account and per client address with `rate-limiter-flexible`, and blocks a
 * key that went over its bounds with a 429 (`Retry-After`), before the strategy runs: a blocked key
 * costs no password check, and the 429 is the same whether or not the account exists (the key is the
 * submitted username, not a stored record).
 */
export class LoginRateLimiter {
  readonly #store: RateLimitStore;
  readonly #account: RateLimitBounds | undefined;
  readonly #address: RateLimitBounds | undefined;
  readonly #strategies: readonly string[] | undefined;
  readonly #usernameField: string | undefined;
  readonly #prefix: string;
  readonly #configurations: StrategyConfigurations;
  readonly #onStoreError: (error: AuthError) => void;
  #limiters: Promise<{ account?: RateLimiterAbstract; address?: RateLimiterAbstract }> | undefined;

  /**
   * @param options - Store, bounds, strategies and username field.
   * @param configurations - The authentication configuration, for each strategy's `usernameField`.
   * @param onStoreError - Told when a store call failed without insurance (the attempt goes on).
   * @throws BadRequest `invalid-configuration` for an unknown option or a bad bound.
   */
  constructor(
    options: LoginRateLimitOptions,
    configurations: StrategyConfigurations,
    onStoreError: (error: AuthError) => void,
  ) {
    if (options === null || typeof options !== 'object')
      throw configError('rateLimit must be an object or false');
    assertKnownOptions(options, KNOWN, 'rateLimit');
    const { strategies, usernameField, keyPrefix = 'org_login' } = options;
    if (
      strategies !== undefined &&
      (!Array.isArray(strategies) || strategies.some((s) => typeof s !== 'string'))
    ) {
      throw configError('rateLimit.strategies must be a list of strategy names');
    }
    if (usernameField !== undefined && (typeof usernameField !== 'string' || usernameField === '')) {
      throw configError('rateLimit.usernameField must be a non-empty string');
    }
    if (typeof keyPrefix !== 'string' || !/^[\w.-]+$/.test(keyPrefix)) {
      throw configError('rateLimit.keyPrefix must be letters, digits, "_", "." or "-"');
    }
    const store = options.store ?? memoryRateLimitStore();
    if (store === null || typeof store !== 'object' || typeof store.limiter !== 'function') {
      throw configError(
        'rateLimit.store must be a RateLimitStore (memoryRateLimitStore(), redisRateLimitStore()...)',
      );
    }
    this.#store = store;
    this.#account = bounds(options.account, DEFAULT_ACCOUNT_LIMIT, 'account');
    this.#address = bounds(options.address, DEFAULT_ADDRESS_LIMIT, 'address');
    this.#strategies = strategies;
    this.#usernameField = usernameField;
    this.#prefix = keyPrefix;
    this.#configurations = configurations;
    this.#onStoreError = onStoreError;
  }

  /**
   * Creates the limiters (opens the store). Idempotent; a failure is retried on the next call.
   * @throws BadRequest `missing-package` when the store's client package is missing; the store's error.
   */
  async ready(): Promise<void> {
    this.#limiters ??= (async () => {
      const create = (name: string, limit: RateLimitBounds | undefined) =>
        limit && this.#store.limiter({ keyPrefix: `${this.#prefix}_${name}`, ...limit });
      const [account, address] = await Promise.all([
        create('account', this.#account),
        create('address', this.#address),
      ]);
      return { ...(account && { account }), ...(address && { address }) };
    })().catch((error: unknown) => {
      this.#limiters = undefined;
      throw error;
    });
    await this.#limiters;
  }

  /** Releases what the store opened itself. */
  async close(): Promise<void> {
    await this.#store.close?.();
  }

  /**
   * Starts counting a login attempt, or refuses it while one of its keys is blocked.
   *
   * @param data - The login body (`{ strategy, email, password }`).
   * @param address - The client address, when the host knows it.
   * @returns The attempt, or `undefined` for a strategy that is not counted.
   * @throws TooManyRequests `too-many-requests` (429, `data.retryAfter` in seconds) while blocked.
   */
  async begin(data: Record<string, unknown>, address: string | undefined): Promise<LoginAttempt | undefined> {
    const strategy = data.strategy as string;
    if (this.#strategies ? !this.#strategies.includes(strategy) : strategy === 'jwt') return undefined;
    await this.ready();
    const limiters = (await this.#limiters)!;
    const keys: Array<[RateLimiterAbstract, RateLimitBounds, string]> = [];
    const username = readPath(data, this.#usernameFieldOf(strategy));
    if (limiters.account && typeof username === 'string' && username.trim() !== '') {
      const normalised = username.normalize('NFKC').trim().toLowerCase();
      keys.push([limiters.account, this.#account!, await sha256(`${strategy}\0${normalised}`)]);
    }
    // A host that does not tell the address (a Fetch host without context) is counted per account only.
    if (limiters.address && address !== undefined)
      keys.push([limiters.address, this.#address!, addressKey(address)]);

    const current = await Promise.all(keys.map(([limiter, , key]) => this.#call(() => limiter.get(key))));
    const blocked = current.filter(
      (res, i) => res instanceof RateLimiterRes && res.consumedPoints > keys[i]![1].points,
    );
    if (blocked.length > 0) throw tooMany(retryAfter(...blocked));

    const accountKey = limiters.account && keys[0]?.[0] === limiters.account ? keys[0][2] : undefined;
    return {
      failed: async (error) => {
        if (toAuthError(error).code !== 401) return;
        const results = await Promise.allSettled(keys.map(([limiter, , key]) => limiter.consume(key)));
        const over = results.flatMap((r) =>
          r.status === 'rejected' && r.reason instanceof RateLimiterRes ? [r.reason] : [],
        );
        for (const r of results) {
          if (r.status === 'rejected' && !(r.reason instanceof RateLimiterRes)) this.#storeFailed(r.reason);
        }
        if (over.length > 0) throw tooMany(retryAfter(...over));
      },
      succeeded: async () => {
        if (accountKey !== undefined) await this.#call(() => limiters.account!.delete(accountKey));
      },
    };
  }

  #usernameFieldOf(strategy: string): string {
    if (this.#usernameField !== undefined) return this.#usernameField;
    const section = this.#configurations()[strategy] as { usernameField?: unknown } | undefined;
    return typeof section?.usernameField === 'string' ? section.usernameField : 'email';
  }

  async #call<T>(operation: () => Promise<T>): Promise<T | undefined> {
    try {
      return await operation();
    } catch (error) {
      this.#storeFailed(error);
      return undefined;
    }
  }

  #storeFailed(cause: unknown): void {
    this.#onStoreError(
      new Unavailable('Login rate limit store unavailable', { reason: 'store-unavailable', cause }),
    );
  }
}
