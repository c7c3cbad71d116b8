import type { KeyObject } from 'node:crypto';
import { certainlyValidSpan, validateClaims, type JwtPayload } from './claims.ts';
import { MAX_TOKEN_LENGTH, parseCompact } from './compact-parse.ts';
import type { VerificationKeySource } from '../key-material/key-source.ts';
import type { ResolvedVerifyOptions } from './options.ts';
import { cloneJson } from '@org/core/internal';
import { handOut, tokenDigest, type CachedToken, type VerifiedTokenCache } from './verified-token-cache.ts';
import { resolveKey } from './verify-jws.ts';
import { verifyParsedToken, type VerifiedTokenWithKey } from './verify-token.ts';

// A ring re-imports a key when its stored record changes (its private half deleted once it stops
// signing, a rewrap), so the same key can come back as another KeyObject: compare the material then.
function sameKey(current: KeyObject | undefined, cached: KeyObject): boolean {
  return current !== undefined && (current === cached || current.equals(cached));
}

/** True while `source` still resolves the entry's `kid` and `alg` to the key that verified it. */
function stillVerifies(source: VerificationKeySource, entry: CachedToken): boolean {
  const current = resolveKey(source, entry.alg, entry.kid);
  return current?.alg === entry.alg && sameKey(current.key, entry.key);
}

/**
 * The default-options verification path of a `TokenService` with `verifiedTokenCache` on.
 *
 * Order in `verify`: the strict pre-parser's checks first (a malformed token is never decoded nor stored), then
 * the SHA-256 digest of the whole token as the key. `peek` hashes first (within the length bound) and
 * leaves the pre-parser to the caller's full path: only tokens that passed it were ever stored, so only
 * their exact text can hit. A hit counts only while the key source still resolves the
 * token's `kid` to the key that verified it, and only while its time claims hold at `now` (`exp`, `nbf`,
 * `iat`, `maxTokenAge` with the configured `clockTolerance`: inside the span stored with the entry, else
 * every claim check again); a hit that fails is dropped.
 * The caller checks revocation after this, on hits as on misses. Callers get a copy of the claims.
 * @internal
 */
export class CachedVerifier {
  readonly #cache: VerifiedTokenCache;
  readonly #source: VerificationKeySource;
  readonly #options: ResolvedVerifyOptions;

  /**
   * @param cache - The bounded store.
   * @param source - Where keys come from; when it reports key changes, entries of keys that no longer
   *   resolve are dropped at once (a hit re-checks the key anyway).
   * @param options - The service's default verification options (the only ones cached).
   */
  constructor(cache: VerifiedTokenCache, source: VerificationKeySource, options: ResolvedVerifyOptions) {
    this.#cache = cache;
    this.#source = source;
    this.#options = options;
    source.onChange?.(() => this.#sweep());
  }

  /** The cache (for its size and bounds). */
  get cache(): VerifiedTokenCache {
    return this.#cache;
  }

  /**
   * Verifies `token` from the cache or in full.
   * @param token - The raw token.
   * @param now - The current time in whole seconds.
   * @returns A copy of the verified claims; a promise when the signature is offloaded on a miss.
   * @throws NotAuthenticated with a stable reason, as `verifyToken`.
   */
  verify(token: unknown, now: number): JwtPayload | Promise<JwtPayload> {
    const parts = parseCompact(token);
    const digest = tokenDigest(token as string);
    const hit = this.#hit(digest, now);
    if (hit !== undefined) return hit;
    const verified = verifyParsedToken(parts, this.#source, this.#options, now);
    if (verified instanceof Promise) {
      return verified.then((result) => this.#store(digest, parts, result));
    }
    return this.#store(digest, parts, verified);
  }

  /**
   * The claims of `token` when the cache holds it and it still verifies at `now` (key, time claims), as
   * {@link CachedVerifier.verify} answers a hit; `undefined` otherwise (a miss, a malformed token, a failed
   * re-check, whose entry is dropped as `verify` drops it), never throwing: the caller then takes `verify`,
   * which reports the failure.
   * @param token - The raw token.
   * @param now - The current time in whole seconds.
   * @returns A copy of the verified claims, or `undefined`.
   */
  peek(token: string, now: number): JwtPayload | undefined {
    // No scan of the text before the lookup: the key is the SHA-256 of the whole token and only a token
    // that passed every check of the strict pre-parser (then the signature and the claims) was ever
    // stored, so a hit is that very text, and anything the pre-parser refuses can only miss (the caller's
    // full path then pre-parses it before decoding anything). The bounds keep an oversized value unhashed.
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
    try {
      return this.#hit(tokenDigest(token), now);
    } catch {
      return undefined;
    }
  }

  // A hit counts while the source still resolves its key (else it is dropped: `undefined`) and its claims
  // hold at `now` (else it is dropped and the claims' error thrown).
  #hit(digest: string, now: number): JwtPayload | undefined {
    const hit = this.#cache.get(digest);
    if (hit === undefined) return undefined;
    if (!stillVerifies(this.#source, hit)) {
      this.#cache.delete(digest);
      return undefined;
    }
    // Inside the span stored with the entry the time claims hold for certain (the others never change);
    // outside it, near an edge or past one, every claim check runs again and reports the failure.
    const { span } = hit;
    // Written so that a NaN anywhere means the full checks.
    if (!(now >= span.from && now <= span.until)) {
      try {
        validateClaims(hit.payload, hit.header, this.#options, now);
      } catch (error) {
        this.#cache.delete(digest);
        throw error;
      }
    }
    return handOut(hit);
  }

  #store(digest: string, parts: ReturnType<typeof parseCompact>, verified: VerifiedTokenWithKey): JwtPayload {
    const handedOut = cloneJson(verified.payload);
    this.#cache.set(digest, parts, verified, certainlyValidSpan(verified.payload, this.#options));
    return handedOut;
  }

  /** Drops the entries of keys the source no longer resolves (one lookup per kid and algorithm). */
  #sweep(): void {
    const current = new Map<string, KeyObject | undefined>();
    this.#cache.retain((entry) => {
      const id = `${entry.alg}\n${entry.kid ?? ''}`;
      if (!current.has(id)) {
        const resolved = resolveKey(this.#source, entry.alg, entry.kid);
        current.set(id, resolved?.alg === entry.alg ? resolved.key : undefined);
      }
      return sameKey(current.get(id), entry.key);
    });
  }
}
