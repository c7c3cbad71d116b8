import type { JwtPayload } from './claims.ts';

/**
 * The revocation hook of the {@link TokenService}: implemented by the `jti` denylist.
 * Checked last, after the signature and claims, so only authentic tokens cost a store round trip.
 */
export interface RevocationCheck {
  /**
   * @param payload - The verified claims.
   * @returns true when the token (its `jti`, or every token of its subject) is revoked.
   */
  isRevoked(payload: JwtPayload): Promise<boolean>;
  /**
   * The same answer as {@link RevocationCheck.isRevoked}, synchronously, when the check holds it in
   * memory; `undefined` when only a store round trip (or the full path's error handling) can answer.
   * Optional: without it, a request guard's cache shortcut is never taken.
   * @param payload - The verified claims.
   */
  isRevokedNow?(payload: JwtPayload): boolean | undefined;
  /**
   * Revokes a verified token until it expires. Idempotent.
   * @param payload - The verified claims.
   */
  revoke(payload: JwtPayload): Promise<void>;
  /** Seconds an entry outlives the token's `exp` (the denylist's `tolerance`), when the check has such a bound. */
  readonly tolerance?: number;
  /** Seconds a subject-wide revocation is kept (the denylist's `maxTokenLifetime`), when bounded. */
  readonly maxTokenLifetime?: number;
}
