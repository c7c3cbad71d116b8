import type { KeyObject } from 'node:crypto';
import { BadRequest, NotAuthenticated, type TokenIssuer } from '@org/core';
import { configError } from '@org/core/internal';
import { ALGORITHMS, JWS_ALGORITHMS, type JwsAlgorithm } from '../key-material/algorithms.ts';
import { hasFunction, ringAlgorithm, ringMaxLifetime } from './key-ring-shape.ts';
import type { TokenServiceOptions } from './token-service-options.ts';
import { declaredAlgorithm, jwkKid } from './key-setting-jwk.ts';
import type { JwtPayload } from './claims.ts';
import { parseDuration } from '../shared/duration.ts';
import { importPrivateKey, importPublicKey, importSecret } from '../key-material/key-import.ts';
import { assertKeyPolicy, defaultAlgorithmFor } from '../key-material/key-policy.ts';
import {
  StaticKeySource,
  type SigningKey,
  type SigningKeySource,
  type StaticKeyEntry,
  type VerificationKeySource,
} from '../key-material/key-source.ts';
import {
  resolveSignOptions,
  resolveVerifyOptions,
  type JwtSignOptions,
  type JwtVerifyOptions,
  type ResolvedVerifyOptions,
} from './options.ts';
import type { RevocationCheck } from './revocation-check.ts';
import { warnOnShortRevocation } from './revocation-lifetimes.ts';
import { signCompact } from './sign.ts';
import { signingKeyOverride, verificationKeyOverride } from './key-override.ts';
import { tokenClaimsJson } from './token-claims.ts';
import { verifyParsedToken } from './verify-token.ts';
import { parseCompact } from './compact-parse.ts';
import { CachedVerifier } from './cached-verifier.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';
import { resolveVerifiedTokenCache } from './verified-token-cache-options.ts';

export type { TokenServiceOptions } from './token-service-options.ts';

const ASYMMETRIC = JWS_ALGORITHMS.filter((alg) => ALGORITHMS[alg].family !== 'HS');

/** No per-call verification options: the default path, the only one the verified-token cache serves. */
function isDefault(options: Partial<JwtVerifyOptions> | undefined): boolean {
  return options === undefined || Object.keys(options).length === 0;
}

/**
 * Issues and verifies access tokens: the token issuer the `AuthenticationService` delegates to.
 *
 * Keys are imported and policy-checked once, here; verification runs the strict path on node:crypto with
 * the pre-imported keys (see docs/jwt-verification.md) and every failure is a `NotAuthenticated` with a
 * stable reason.
 * @example
 * ```ts
 * const tokens = new TokenService({ secret: process.env.JWT_SECRET });
 * const token = await tokens.createAccessToken({}, { subject: '42' });
 * const payload = await tokens.verifyAccessToken(token); // { sub: '42', aud, iss, iat, exp, jti }
 * ```
 */
export class TokenService implements TokenIssuer {
  readonly #signer: SigningKeySource | undefined;
  readonly #source: VerificationKeySource;
  readonly #signInput: Partial<JwtSignOptions>;
  readonly #sign: JwtSignOptions;
  readonly #verifyInput: Partial<JwtVerifyOptions>;
  readonly #verifyDefaults: Parameters<typeof resolveVerifyOptions>[1];
  readonly #verify: ResolvedVerifyOptions;
  readonly #clock: () => number;
  readonly #fixedAlgorithm: boolean;
  // Invariant 2: a ring keeps a key published for maxTokenLifetime after it stops signing, so no token it
  // signs may live longer, or it would stop verifying before its `exp`.
  readonly #maxLifetime: number | undefined;
  #revocation: RevocationCheck | undefined;
  #cached: CachedVerifier | undefined;

  /**
   * @param options - Keys, signing and verification options.
   * Warns (`process.emitWarning`, code `ORG_JWT_REVOCATION_LIFETIME`) when the revocation check keeps its
   * entries for less than the verifier's `clockTolerance` past `exp`, or keeps a subject-wide revocation for
   * less than the token lifetime: a revoked token would verify again before it expires.
   * @throws BadRequest (`invalid-configuration`) for a missing, weak or mismatched key, or invalid options,
   * or, with a key ring, a `jwtOptions.expiresIn` longer than the ring's `maxTokenLifetime`.
   */
  constructor(options: TokenServiceOptions) {
    if (options === null || typeof options !== 'object')
      throw configError(`'authentication' must be an object`);
    const { secret, privateKey, publicKey, keyRing } = options;
    this.#signInput = options.jwtOptions ?? {};
    this.#verifyInput = options.verifyOptions ?? {};
    this.#clock = options.clock ?? Date.now;
    this.#revocation = options.revocation;
    const cacheSettings = resolveVerifiedTokenCache(options.verifiedTokenCache);
    const explicit = this.#signInput.algorithm;

    if (keyRing !== undefined) {
      if (!hasFunction(keyRing, 'getSigningKey') || !hasFunction(keyRing, 'resolve')) {
        throw configError(`'authentication.keyRing' must be a KeyRing instance (see createKeyRing())`);
      }
      this.#signer = keyRing;
      this.#source = keyRing;
      const ringAlg = ringAlgorithm(keyRing);
      if (explicit !== undefined && ringAlg !== undefined && explicit !== ringAlg) {
        // The ring signs with its own algorithm; verifying only `explicit` would refuse its own tokens.
        throw configError(
          `'authentication.jwtOptions.algorithm' is ${String(explicit)} but the key ring signs ${ringAlg} ('keyRing.algorithm'): ` +
            `remove 'authentication.jwtOptions.algorithm' or set both to the same algorithm`,
        );
      }
      this.#fixedAlgorithm = explicit !== undefined || ringAlg !== undefined;
      this.#sign = resolveSignOptions(this.#signInput, explicit ?? ringAlg ?? 'ES256');
      this.#maxLifetime = ringMaxLifetime(keyRing);
      const lifetime = parseDuration(this.#sign.expiresIn, 'authentication.jwtOptions.expiresIn');
      if (this.#maxLifetime !== undefined && lifetime > this.#maxLifetime) {
        throw configError(
          `'authentication.jwtOptions.expiresIn' (${lifetime} s) is longer than the key ring's 'keyRing.maxTokenLifetime' (${this.#maxLifetime} s): ` +
            `its tokens would outlive their key in the JWKS. Lower 'authentication.jwtOptions.expiresIn' or raise 'keyRing.maxTokenLifetime'`,
        );
      }
      this.#verifyDefaults = this.#defaults(explicit === undefined ? ASYMMETRIC : [this.#sign.algorithm]);
      this.#verify = resolveVerifyOptions(this.#verifyInput, this.#verifyDefaults);
      this.#checkRevocationLifetimes();
      if (cacheSettings)
        this.#cached = new CachedVerifier(new VerifiedTokenCache(cacheSettings), keyRing, this.#verify);
      return;
    }

    this.#maxLifetime = undefined;
    let priv: KeyObject | undefined;
    let pub: KeyObject | undefined;
    if (privateKey !== undefined) priv = importPrivateKey(privateKey);
    if (publicKey !== undefined) pub = importPublicKey(publicKey);
    const declared = declaredAlgorithm({ secret, privateKey, publicKey }, explicit);
    let inferred: JwsAlgorithm | undefined = declared;
    if (explicit === undefined && declared === undefined) {
      const asymmetric = priv ?? (secret === undefined ? pub : undefined);
      inferred = asymmetric ? defaultAlgorithmFor(asymmetric) : 'HS256';
      if (inferred === undefined)
        throw configError(
          `No JWS algorithm fits the configured key; set 'authentication.jwtOptions.algorithm'`,
        );
    }
    this.#sign = resolveSignOptions(this.#signInput, explicit ?? inferred!);
    const alg = this.#sign.algorithm;
    this.#fixedAlgorithm = true;
    const entries: StaticKeyEntry[] = [];
    if (ALGORITHMS[alg].family === 'HS') {
      if (secret === undefined) throw configError(`${alg} needs 'authentication.secret'`);
      const key = importSecret(secret);
      assertKeyPolicy(key, alg, 'authentication.secret');
      const kid = jwkKid(secret);
      this.#signer = { getSigningKey: () => ({ alg, key, ...(kid === undefined ? {} : { kid }) }) };
      entries.push({ alg, key, ...(kid === undefined ? {} : { kid }) });
    } else {
      if (priv === undefined && pub === undefined) {
        throw configError(
          `${alg} needs 'authentication.privateKey' (to sign) or 'authentication.publicKey' (to verify only)`,
        );
      }
      const kid = jwkKid(privateKey) ?? jwkKid(publicKey);
      if (priv !== undefined) {
        assertKeyPolicy(priv, alg, 'authentication.privateKey');
        const derived = importPublicKey(priv);
        if (pub !== undefined && !pub.equals(derived)) {
          throw configError(
            `'authentication.publicKey' is not the public half of 'authentication.privateKey'`,
          );
        }
        pub = derived;
        const signingKey: SigningKey = { alg, key: priv, ...(kid === undefined ? {} : { kid }) };
        this.#signer = { getSigningKey: () => signingKey };
      } else {
        this.#signer = undefined;
      }
      assertKeyPolicy(pub!, alg, 'authentication.publicKey');
      entries.push({ alg, key: pub!, ...(kid === undefined ? {} : { kid }) });
    }
    this.#source = new StaticKeySource(entries);
    this.#verifyDefaults = this.#defaults([alg]);
    this.#verify = resolveVerifyOptions(this.#verifyInput, this.#verifyDefaults);
    for (const listed of this.#verify.algorithms) {
      if (!entries.some((entry) => entry.alg === listed)) {
        throw configError(
          `'authentication.verifyOptions.algorithms' lists ${listed} but no ${listed} key is configured`,
        );
      }
    }
    this.#checkRevocationLifetimes();
    if (cacheSettings)
      this.#cached = new CachedVerifier(new VerifiedTokenCache(cacheSettings), this.#source, this.#verify);
  }

  #checkRevocationLifetimes(): void {
    const lifetime = parseDuration(this.#sign.expiresIn, 'authentication.jwtOptions.expiresIn');
    warnOnShortRevocation(this.#revocation, {
      clockTolerance: this.#verify.clockTolerance,
      tokenLifetime: Math.max(lifetime, this.#maxLifetime ?? 0),
    });
  }

  #defaults(algorithms: readonly JwsAlgorithm[]): Parameters<typeof resolveVerifyOptions>[1] {
    return {
      algorithms,
      audience: this.#sign.audience,
      issuer: this.#sign.issuer,
      typ: this.#sign.header.typ,
    };
  }

  /**
   * Builds a service from the `authentication` configuration section: reads `secret`, `privateKey`,
   * `publicKey`, `keyRing`, `jwtOptions`, `verifyOptions`, `verifiedTokenCache` and `revocation` (a {@link RevocationCheck},
   * `false` or absent for none). Other keys are ignored: they belong to other parts. `JWTStrategy` builds
   * the other forms of `revocation` (its default in-process denylist, `{ store }`) and attaches them with
   * {@link TokenService.setRevocation}.
   * @param config - The `authentication` section.
   * @throws BadRequest (`invalid-configuration`), as the constructor, and for a `revocation` that is
   * neither a revocation check nor `false` (never ignored: build it with `createDenylist()`).
   * @example
   * ```ts
   * auth.setTokenIssuer(TokenService.fromConfiguration(auth.configuration));
   * ```
   */
  static fromConfiguration(config: Readonly<Record<string, any>>): TokenService {
    if (config === null || typeof config !== 'object')
      throw configError(`'authentication' must be an object`);
    const setting: unknown = config.revocation;
    const isCheck = hasFunction(setting, 'isRevoked') && hasFunction(setting, 'revoke');
    if (setting !== undefined && setting !== false && !isCheck) {
      throw configError(
        `'authentication.revocation' here must be a revocation check ({ isRevoked, revoke }) or false: ` +
          `build one with createDenylist(), or register JWTStrategy, which builds it from { store }`,
      );
    }
    const revocation = isCheck ? (setting as RevocationCheck) : undefined;
    return new TokenService({
      secret: config.secret,
      privateKey: config.privateKey,
      publicKey: config.publicKey,
      keyRing: config.keyRing,
      jwtOptions: config.jwtOptions,
      verifyOptions: config.verifyOptions,
      verifiedTokenCache: config.verifiedTokenCache,
      revocation,
    });
  }

  /** The revocation check consulted on every verification, if any. */
  get revocation(): RevocationCheck | undefined {
    return this.#revocation;
  }

  /** Where verification keys come from (the static keys or the key ring). */
  get keySource(): VerificationKeySource {
    return this.#source;
  }

  /** The signing options in effect (defaults applied). */
  get signOptions(): Readonly<JwtSignOptions> {
    return this.#sign;
  }

  /**
   * Attaches (or replaces) the revocation check after construction. Warns (`ORG_JWT_REVOCATION_LIFETIME`)
   * when its entries would expire before the tokens they refuse (see the constructor).
   * @param revocation - The denylist, or `undefined` to turn revocation off.
   */
  setRevocation(revocation: RevocationCheck | undefined): void {
    this.#revocation = revocation;
    this.#checkRevocationLifetimes();
  }

  /**
   * Signs an access token. `iat`, `exp` (now + `expiresIn`), `aud`, `iss`, `jti` (a fresh UUID v4 unless
   * `jwtid` is given), `sub` (from `subject`) and `nbf` come from the options and replace the payload's.
   * @param payload - Extra claims (a plain JSON object).
   * @param options - Signing options merged over `jwtOptions`, e.g. `{ subject: '42', expiresIn: '7d' }`.
   * @param secret - Sign with this key instead of the configured one, as Feathers' `secretOverride` (for a
   *   token of another kind: password reset, e-mail confirmation): a shared secret, or a private key. It
   *   is held to the key policy (length, never public key material); its algorithm is `options.algorithm`,
   *   else the configured one when it fits the key, else the key's own (HS256 for a secret).
   * @returns The compact JWS.
   * @throws BadRequest (`invalid-configuration`) without a signing key, for bad options or a `secret` that
   * fails the key policy; (`bad-request`) for a payload that is not JSON-serialisable or has a forbidden
   * member name, or, with a key ring, for an `expiresIn` (or a payload `exp`) beyond the ring's `maxTokenLifetime`.
   */
  async createAccessToken(
    payload: Record<string, unknown> = {},
    options?: Partial<JwtSignOptions>,
    secret?: unknown,
  ): Promise<string> {
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      throw new BadRequest('Token payload must be an object', { reason: 'bad-request' });
    }
    const now = Math.floor(this.#clock() / 1000);
    if (secret !== undefined) {
      const key = signingKeyOverride(secret, options?.algorithm, this.#sign.algorithm);
      const o = resolveSignOptions({ ...this.#signInput, ...options, algorithm: key.alg }, key.alg);
      // Not a key of the ring: the ring's lifetime bound is for its own keys.
      return signCompact(o.header, tokenClaimsJson(payload, o, now, undefined), key);
    }
    const o =
      options === undefined
        ? this.#sign
        : resolveSignOptions({ ...this.#signInput, ...options }, this.#sign.algorithm);
    if (this.#signer === undefined)
      throw configError(
        `No signing key configured: set 'authentication.privateKey' or 'authentication.secret'`,
      );
    const key = await this.#signer.getSigningKey();
    if (this.#fixedAlgorithm && o.algorithm !== key.alg) {
      throw configError(`Cannot sign with ${o.algorithm}: the configured key signs ${key.alg}`);
    }
    return signCompact(o.header, tokenClaimsJson(payload, o, now, this.#maxLifetime), key);
  }

  /** The verified-token cache's entry count and estimated bytes, or `undefined` when it is off. */
  get verifiedTokenCacheStats(): { size: number; bytes: number } | undefined {
    const cache = this.#cached?.cache;
    return cache && { size: cache.size, bytes: cache.bytes };
  }

  /**
   * Verifies an access token on the strict path, then asks the revocation check.
   * @param token - The raw token.
   * @param options - Verification options merged over `verifyOptions` for this call (Feathers' singular
   *   `algorithm` is accepted).
   * @param secret - Verify with this key instead of the configured ones, as Feathers' `secretOverride`: a
   *   shared secret, or public material (a public or private key, a certificate), under the key policy.
   *   It verifies `options.algorithms` (or `algorithm`), else the one algorithm that fits it.
   * With `verifiedTokenCache` on, a call without `options` and `secret` may answer from the cache (see
   * {@link TokenServiceOptions.verifiedTokenCache}); revocation is asked either way.
   * @returns The verified claims (a fresh copy the caller may change).
   * @throws NotAuthenticated with reason `token-malformed`, `algorithm-not-allowed`, `key-not-found`,
   * `invalid-signature`, `claim-invalid`, `token-expired`, `token-not-yet-valid`, `token-too-old` or
   * `token-revoked`; BadRequest (`invalid-configuration`) for bad options or a `secret` that fails the key policy.
   */
  async verifyAccessToken(
    token: string,
    options?: Partial<JwtVerifyOptions>,
    secret?: unknown,
  ): Promise<JwtPayload> {
    const now = Math.floor(this.#clock() / 1000);
    const verified =
      this.#cached !== undefined && secret === undefined && isDefault(options)
        ? this.#cached.verify(token, now)
        : this.#verifyUncached(token, options, secret, now);
    // Awaited only when the signature was offloaded: each await costs a turn of the microtask queue.
    const payload = verified instanceof Promise ? await verified : verified;
    if (this.#revocation !== undefined && (await this.#revocation.isRevoked(payload))) {
      throw new NotAuthenticated('Token revoked', { reason: 'token-revoked' });
    }
    return payload;
  }

  /**
   * What {@link TokenService.verifyAccessToken} without options would resolve with, answered
   * synchronously from the verified-token cache: the token's claims when the cache holds it, its key
   * still resolves, its time claims hold at this moment and a revocation check that answers from memory
   * says it is not revoked (with no revocation check configured, none is asked). `undefined` in every
   * other case: the cache off or missing the token, a shared revocation store (only a round trip knows),
   * a failed check. It never throws; call `verifyAccessToken` then, which answers or reports the failure.
   * The request guards' cache shortcut uses it.
   * @param token - The raw token.
   * @returns A fresh copy of the verified claims, or `undefined`.
   */
  verifyFromCache(token: string): JwtPayload | undefined {
    if (this.#cached === undefined) return undefined;
    const revocation = this.#revocation;
    if (revocation !== undefined && revocation.isRevokedNow === undefined) return undefined;
    const payload = this.#cached.peek(token, Math.floor(this.#clock() / 1000));
    if (payload === undefined || revocation === undefined) return payload;
    try {
      return revocation.isRevokedNow!(payload) === false ? payload : undefined;
    } catch {
      return undefined;
    }
  }

  #verifyUncached(
    token: string,
    options: Partial<JwtVerifyOptions> | undefined,
    secret: unknown,
    now: number,
  ): JwtPayload | Promise<JwtPayload> {
    let source = this.#source;
    let resolved =
      options === undefined
        ? this.#verify
        : resolveVerifyOptions({ ...this.#verifyInput, ...options }, this.#verifyDefaults);
    if (secret !== undefined) {
      const requested =
        options?.algorithms ?? (options?.algorithm === undefined ? undefined : [options.algorithm]);
      const override = verificationKeyOverride(secret, requested, this.#sign.algorithm);
      source = override.source;
      resolved = resolveVerifyOptions(
        { ...this.#verifyInput, ...options, algorithm: undefined, algorithms: override.algorithms },
        this.#verifyDefaults,
      );
    }
    const verified = verifyParsedToken(parseCompact(token), source, resolved, now);
    return verified instanceof Promise ? verified.then((v) => v.payload) : verified.payload;
  }

  /**
   * Revokes a verified token (logout) through the revocation check; a no-op without one.
   * @param _token - The raw token (unused: the payload's `jti` identifies it).
   * @param payload - Its verified claims.
   */
  async revokeAccessToken(_token: string, payload: Record<string, unknown>): Promise<void> {
    await this.#revocation?.revoke(payload as JwtPayload);
  }
}
