import { NotAuthenticated, Unavailable, type TokenIssuer } from '@org/core';
import { configError } from '@org/core/internal';
import { isJwsAlgorithm, type JwsAlgorithm } from '../key-material/algorithms.ts';
import type { JwtPayload } from '../token/claims.ts';
import { parseCompact } from '../token/compact-parse.ts';
import { resolveVerifyOptions, type JwtVerifyOptions, type ResolvedVerifyOptions } from '../token/options.ts';
import type { RevocationCheck } from '../token/revocation-check.ts';
import { decodeJsonObject } from '../token/strict-json.ts';
import { verifyToken } from '../token/verify-token.ts';
import { fetchJwks } from './fetch-jwks.ts';
import { RemoteKeySet } from './remote-key-set.ts';

/** Options of {@link createRemoteVerifier}. */
export interface RemoteVerifierOptions {
  /** The one issuer whose tokens this verifier accepts; its keys are never used for another `iss`. */
  issuer: string;
  /** The issuer's JWKS URL: `https:`, or `http:` on a loopback host only. */
  jwksUri: string | URL;
  /** Accepted `aud` values; `null` skips the audience check (say so explicitly). */
  audience: string | string[] | null;
  /** The algorithm allow-list; the token's `alg` never widens it. */
  algorithms: JwsAlgorithm[];
  /** Leeway for `exp`, `nbf` and `iat` (seconds or a duration string, at most 300 s). @defaultValue 0 */
  clockTolerance?: JwtVerifyOptions['clockTolerance'];
  /** Maximum age counted from `iat`. @defaultValue none */
  maxTokenAge?: JwtVerifyOptions['maxTokenAge'];
  /** Expected header `typ`; `false` skips it. @defaultValue 'access' */
  typ?: string | false;
  /** When false, a token without `typ` passes. @defaultValue true */
  requireTyp?: boolean;
  /** Revocation, checked after verification (a denylist shared with the issuer). */
  revocation?: RevocationCheck;
  /** Milliseconds a JWKS request may take in total. @defaultValue 5000 */
  timeout?: number;
  /** The largest JWKS response accepted, in bytes. @defaultValue 65536 */
  maxResponseBytes?: number;
  /**
   * Minimum milliseconds between two fetches triggered by unknown kids, and the wait before retrying
   * a failed fetch. @defaultValue 30000
   */
  cooldown?: number;
  /** Lower bound on the cache lifetime taken from `Cache-Control: max-age`, in seconds. @defaultValue 10 */
  minCacheAge?: number;
  /** Upper bound on the cache lifetime, in seconds. @defaultValue 3600 */
  maxCacheAge?: number;
  /** Cache lifetime when the response has no `max-age`, in seconds. @defaultValue 300 */
  defaultCacheAge?: number;
  /** Called with every failed or refused fetch (safe to log: no key material). @defaultValue a no-op */
  onError?: (error: unknown) => void;
  /** The clock in epoch milliseconds. @defaultValue `Date.now` */
  clock?: () => number;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw configError(`'${name}' must be a number >= 0`);
  }
  return value;
}

/**
 * Verifies tokens of one remote issuer against its published JWKS, for services that only verify.
 *
 * Keys are fetched with no redirects, a timeout and a size limit; a set with a symmetric key, a
 * private member, duplicate kids or an encryption key is refused whole. The cache honours
 * `Cache-Control: max-age` (bounded), revalidates with `If-None-Match`, refetches on an unknown `kid`
 * at most once per cooldown, runs one fetch at a time, and keeps the last good set when the endpoint
 * fails. Verification is the token service's strict path with keys imported once per fetch.
 *
 * Usable as the token issuer of a verify-only `AuthenticationService` (`createAccessToken` throws).
 * @example
 * ```ts
 * const verifier = createRemoteVerifier({
 *   issuer: 'https://auth.example.com',
 *   jwksUri: 'https://auth.example.com/.well-known/jwks.json',
 *   audience: 'https://api.example.com',
 *   algorithms: ['ES256'],
 * });
 * const payload = await verifier.verifyAccessToken(token);
 * ```
 */
export class RemoteVerifier implements TokenIssuer {
  readonly #issuer: string;
  readonly #url: URL;
  readonly #verify: ResolvedVerifyOptions;
  readonly #verifyInput: Partial<JwtVerifyOptions>;
  readonly #verifyDefaults: Parameters<typeof resolveVerifyOptions>[1];
  readonly #revocation: RevocationCheck | undefined;
  readonly #timeout: number;
  readonly #maxBytes: number;
  readonly #cooldown: number;
  readonly #minAge: number;
  readonly #maxAge: number;
  readonly #defaultAge: number;
  readonly #onError: (error: unknown) => void;
  readonly #clock: () => number;
  #keys: RemoteKeySet | undefined;
  #etag: string | undefined;
  #expiresAt = -Infinity;
  #lastFetchAt = -Infinity;
  #retryAt = -Infinity;
  #inflight: Promise<void> | undefined;

  /**
   * @param options - See {@link RemoteVerifierOptions}.
   * @throws BadRequest `invalid-configuration` on a missing issuer, a non-https URL, an empty allow-list,
   * an HS algorithm (a JWKS never carries secrets) or another bad option.
   */
  constructor(options: RemoteVerifierOptions) {
    if (options === null || typeof options !== 'object')
      throw configError(`Remote verifier options must be an object`);
    const { issuer, jwksUri, algorithms } = options;
    if (typeof issuer !== 'string' || issuer === '') throw configError(`'issuer' must be a non-empty string`);
    let url: URL;
    try {
      url = new URL(jwksUri);
    } catch {
      throw configError(`'jwksUri' must be an absolute URL`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
      throw configError(`'jwksUri' must use https: (http: is accepted on loopback hosts only)`);
    }
    if (!Array.isArray(algorithms) || algorithms.length === 0) {
      throw configError(`'algorithms' must be a non-empty array`);
    }
    for (const alg of algorithms) {
      if (isJwsAlgorithm(alg) && alg.startsWith('HS')) {
        throw configError(
          `'algorithms' lists ${alg}; a JWKS publishes no secrets, so HS* cannot verify here`,
        );
      }
    }
    if (options.audience === undefined) {
      throw configError(`'audience' is required (null skips the audience check)`);
    }
    this.#verifyInput = {
      algorithms,
      audience: options.audience,
      issuer,
      clockTolerance: options.clockTolerance,
      maxTokenAge: options.maxTokenAge,
      typ: options.typ,
      requireTyp: options.requireTyp,
    };
    this.#verifyDefaults = { algorithms, audience: [], issuer, typ: 'access' };
    this.#verify = resolveVerifyOptions(this.#verifyInput, this.#verifyDefaults, 'remoteVerifier');
    this.#issuer = issuer;
    this.#url = url;
    this.#revocation = options.revocation;
    this.#timeout = positive('timeout', options.timeout, 5000);
    this.#maxBytes = positive('maxResponseBytes', options.maxResponseBytes, 65_536);
    this.#cooldown = positive('cooldown', options.cooldown, 30_000);
    this.#minAge = positive('minCacheAge', options.minCacheAge, 10) * 1000;
    this.#maxAge = positive('maxCacheAge', options.maxCacheAge, 3600) * 1000;
    this.#defaultAge = positive('defaultCacheAge', options.defaultCacheAge, 300) * 1000;
    if (this.#minAge > this.#maxAge) throw configError(`'minCacheAge' must not exceed 'maxCacheAge'`);
    this.#onError = options.onError ?? (() => {});
    this.#clock = options.clock ?? Date.now;
  }

  /** The issuer this verifier is bound to. */
  get issuer(): string {
    return this.#issuer;
  }

  /** The kids of the current key set (empty before the first successful fetch). */
  get kids(): readonly string[] {
    return this.#keys?.kids ?? [];
  }

  /**
   * Verifies a token of this issuer.
   * @param token - The raw token.
   * @param options - Verification options for this call over the configured ones (the issuer stays
   *   bound, HS* stays refused).
   * @param secret - Not supported: a remote verifier only uses its issuer's published keys.
   * @returns The verified claims.
   * @throws NotAuthenticated with the strict path's reasons (`token-malformed`, `algorithm-not-allowed`,
   * `key-not-found`, `invalid-signature`, `claim-invalid`, `token-expired`, ...) or `token-revoked`;
   * `claim-invalid` for another issuer's token, before any key lookup or fetch.
   * @throws Unavailable `unavailable` when no key set could be fetched yet; BadRequest
   * `invalid-configuration` for a `secret` or per-call options that change the issuer or allow HS*.
   */
  async verifyAccessToken(
    token: string,
    options?: Partial<JwtVerifyOptions>,
    secret?: unknown,
  ): Promise<JwtPayload> {
    if (secret !== undefined) {
      throw configError(
        `A remote verifier verifies with its issuer's published keys only; it takes no key per call`,
      );
    }
    const verify = options === undefined ? this.#verify : this.#perCall(options);
    // Refuse another issuer's token before a key lookup: it must never trigger a fetch of our
    // issuer's keys (amplification) nor be checked against them. Reading an unauthenticated claim
    // to refuse is safe; the full strict verification still checks `iss` after the signature.
    const iss = decodeJsonObject(parseCompact(token).payload).iss;
    if (iss !== this.#issuer) throw new NotAuthenticated('Invalid "iss" claim', { reason: 'claim-invalid' });

    const now = this.#clock();
    // A stale set is revalidated before use (coalesced, conditional); after a failed fetch the
    // last good set serves until the retry time, so a down endpoint is not hit per request.
    if (now >= this.#expiresAt && now >= this.#retryAt) await this.#refresh();
    const keys = this.#keys;
    if (keys === undefined) throw new Unavailable('Signing keys of the issuer are unavailable');

    let payload: JwtPayload;
    try {
      payload = verifyToken(token, keys, verify, Math.floor(now / 1000)).payload;
    } catch (error) {
      if ((error as NotAuthenticated).reason !== 'key-not-found') throw error;
      // An unknown kid may be a key published after our last fetch: refetch, at most once per cooldown.
      if (this.#inflight === undefined && this.#clock() - this.#lastFetchAt < this.#cooldown) throw error;
      await this.#refresh();
      if (this.#keys === keys) throw error;
      payload = verifyToken(token, this.#keys!, verify, Math.floor(this.#clock() / 1000)).payload;
    }
    if (this.#revocation !== undefined && (await this.#revocation.isRevoked(payload))) {
      throw new NotAuthenticated('Token revoked', { reason: 'token-revoked' });
    }
    return payload;
  }

  // Per-call options narrow this verifier's; they never bind it to another issuer or to HS* algorithms.
  #perCall(options: Partial<JwtVerifyOptions>): ResolvedVerifyOptions {
    if (options.issuer !== undefined && options.issuer !== this.#issuer) {
      throw configError(`A remote verifier is bound to its issuer; 'issuer' cannot change per call`);
    }
    const resolved = resolveVerifyOptions(
      { ...this.#verifyInput, ...options },
      this.#verifyDefaults,
      'options',
    );
    for (const alg of resolved.algorithms) {
      if (alg.startsWith('HS'))
        throw configError(`'options.algorithms' lists ${alg}; a JWKS publishes no secrets`);
    }
    return resolved;
  }

  /**
   * Fetches the key set now (coalesced with a fetch in flight). Never rejects: a failure keeps the last
   * good set and is reported to `onError`.
   */
  refresh(): Promise<void> {
    return this.#refresh();
  }

  /** Not supported: this service only verifies. @throws BadRequest `invalid-configuration`. */
  async createAccessToken(): Promise<string> {
    throw configError('A remote verifier only verifies tokens; it cannot sign');
  }

  #refresh(): Promise<void> {
    if (this.#inflight !== undefined) return this.#inflight;
    this.#lastFetchAt = this.#clock();
    this.#inflight = this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #fetch(): Promise<void> {
    try {
      const result = await fetchJwks(this.#url, {
        timeout: this.#timeout,
        maxBytes: this.#maxBytes,
        etag: this.#keys === undefined ? undefined : this.#etag,
      });
      if (result.status === 'modified') {
        this.#keys = RemoteKeySet.parse(result.text, this.#verify.algorithms);
        this.#etag = result.etag;
      }
      const age = result.maxAge === undefined ? this.#defaultAge : result.maxAge * 1000;
      this.#expiresAt = this.#clock() + Math.min(this.#maxAge, Math.max(this.#minAge, age));
      this.#retryAt = -Infinity;
    } catch (error) {
      this.#retryAt = this.#clock() + this.#cooldown;
      this.#onError(error);
    }
  }
}

/**
 * Creates a {@link RemoteVerifier} bound to one issuer and its JWKS URL.
 * @param options - See {@link RemoteVerifierOptions}.
 * @throws BadRequest `invalid-configuration` on a bad option.
 * @example
 * ```ts
 * const verifier = createRemoteVerifier({
 *   issuer: 'https://auth.example.com',
 *   jwksUri: 'https://auth.example.com/.well-known/jwks.json',
 *   audience: 'https://api.example.com',
 *   algorithms: ['ES256', 'EdDSA'],
 * });
 * ```
 */
export function createRemoteVerifier(options: RemoteVerifierOptions): RemoteVerifier {
  return new RemoteVerifier(options);
}
