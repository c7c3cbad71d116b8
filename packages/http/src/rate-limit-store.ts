import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** The settings of one limiter, as {@link RateLimitStore.limiter} receives them. */
export interface LimiterSettings {
  /** Prefix of every key this limiter writes (`org_login_account`). */
  keyPrefix: string;
  /** Failed attempts allowed within `duration`. */
  points: number;
  /** The counting window, in seconds. */
  duration: number;
  /** How long a key stays blocked once it went over `points`, in seconds (0: until the window ends). */
  blockDuration: number;
}

/**
 * Where the login rate limiter keeps its counters: {@link memoryRateLimitStore} (one process),
 * {@link redisRateLimitStore} or {@link postgresRateLimitStore} (shared by every instance), or your own
 * over any `rate-limiter-flexible` limiter.
 */
export interface RateLimitStore {
  /**
   * Creates a limiter (called once per limiter, before the first request counts).
   * @param settings - Key prefix and bounds.
   * @throws BadRequest `missing-package` when the store's client package is not installed.
   */
  limiter(settings: LimiterSettings): Promise<RateLimiterAbstract>;
  /** Releases what the store opened itself (never a client the caller passed). */
  close?(): Promise<void>;
}

/**
 * Counters in this process's memory: the default. Each instance counts on its own, so N instances behind
 * a load balancer allow up to N times the bounds; share them through Redis or Postgres instead.
 *
 * @returns The store.
 * @example
 * ```ts
 * createHttpTransport(auth, { rateLimit: { store: memoryRateLimitStore() } });
 * ```
 */
export function memoryRateLimitStore(): RateLimitStore {
  return { limiter: async (settings) => new RateLimiterMemory(settings) };
}
