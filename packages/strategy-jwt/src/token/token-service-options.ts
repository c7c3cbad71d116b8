import type { SecretInput, KeyInput } from '../key-material/key-import.ts';
import type { SigningKeySource, VerificationKeySource } from '../key-material/key-source.ts';
import type { JwtSignOptions, JwtVerifyOptions } from './options.ts';
import type { RevocationCheck } from './revocation-check.ts';
import type { VerifiedTokenCacheOptions } from './verified-token-cache-options.ts';

/** Options of a {@link TokenService}; the keys match the `authentication` configuration section. */
export interface TokenServiceOptions {
  /** The HMAC secret for HS256/384/512 (at least as long as the hash, not a well-known example). */
  secret?: SecretInput;
  /** The signing key for RS/PS/ES/EdDSA (PEM, JWK or KeyObject); its public half verifies. */
  privateKey?: KeyInput;
  /** The verification key; required without `privateKey` (a verify-only service), checked against it otherwise. */
  publicKey?: KeyInput;
  /**
   * A key ring: signs with its active key, verifies by `kid`. Takes precedence over static keys. No token
   * may outlive the ring's `settings.maxTokenLifetime` (its keys are only published that long after they sign).
   */
  keyRing?: SigningKeySource & VerificationKeySource;
  /** Signing options (Feathers' `jwtOptions`). */
  jwtOptions?: Partial<JwtSignOptions>;
  /** Verification options; defaults derive from `jwtOptions`. */
  verifyOptions?: Partial<JwtVerifyOptions>;
  /** Revocation (the `jti` denylist), checked last on every verification. */
  revocation?: RevocationCheck;
  /**
   * Keeps verified tokens in memory, so a token presented again skips the signature and JSON decoding:
   * `true` for the defaults, or bounds (`{ max, maxBytes }`). Only verifications with the configured
   * options are cached (not a call with its own options or key). A hit still re-checks the key, every
   * time-dependent claim against the clock, and revocation. See docs/jwt-verification.md,
   * "Verified-token cache".
   * @defaultValue `false` (off)
   */
  verifiedTokenCache?: boolean | VerifiedTokenCacheOptions;
  /** The clock in milliseconds. @defaultValue `Date.now` */
  clock?: () => number;
}
