import { configError, didYouMean } from '@org/core/internal';

/**
 * Bounds of the verified-token cache (`authentication.verifiedTokenCache`). The cache holds at most
 * `max` tokens and about `maxBytes` of memory, whichever is reached first, dropping the least recently
 * used token. See docs/jwt-verification.md, "Verified-token cache".
 */
export interface VerifiedTokenCacheOptions {
  /**
   * The most tokens held.
   * @defaultValue `10000`
   */
  max?: number;
  /**
   * The most memory the entries may take, in bytes, as estimated from each token's length (key, header,
   * claims and bookkeeping).
   * @defaultValue `16777216` (16 MiB)
   */
  maxBytes?: number;
}

/** The cache bounds after validation. @internal */
export interface VerifiedTokenCacheSettings {
  max: number;
  maxBytes: number;
}

/** @internal */
export const DEFAULT_VERIFIED_TOKEN_CACHE: Readonly<VerifiedTokenCacheSettings> = Object.freeze({
  max: 10_000,
  maxBytes: 16 * 1024 * 1024,
});

const KEYS = ['max', 'maxBytes'] as const;

function positiveInteger(value: unknown, setting: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw configError(`'${setting}' must be a positive integer`);
  }
  return value;
}

/**
 * Validates `verifiedTokenCache`: `false` or absent turns the cache off, `true` uses the defaults, an
 * object sets `max` and `maxBytes`.
 * @param value - The setting as given.
 * @param setting - Its name, for messages.
 * @returns The bounds, or `undefined` when the cache is off.
 * @throws BadRequest (`invalid-configuration`) for any other value or an unknown key (with a did-you-mean hint).
 * @internal
 */
export function resolveVerifiedTokenCache(
  value: unknown,
  setting = 'authentication.verifiedTokenCache',
): VerifiedTokenCacheSettings | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { ...DEFAULT_VERIFIED_TOKEN_CACHE };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw configError(`'${setting}' must be true, false or { max?, maxBytes? }`);
  }
  for (const key of Object.keys(value)) {
    if ((KEYS as readonly string[]).includes(key)) continue;
    const guess = didYouMean(key, KEYS);
    throw configError(
      `Unknown option '${setting}.${key}'.` +
        (guess ? ` Did you mean '${setting}.${guess}'?` : ` Known options: ${KEYS.join(', ')}.`),
    );
  }
  const given = value as VerifiedTokenCacheOptions;
  return {
    max: positiveInteger(given.max, `${setting}.max`, DEFAULT_VERIFIED_TOKEN_CACHE.max),
    maxBytes: positiveInteger(given.maxBytes, `${setting}.maxBytes`, DEFAULT_VERIFIED_TOKEN_CACHE.maxBytes),
  };
}
