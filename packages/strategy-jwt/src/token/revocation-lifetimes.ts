import type { RevocationCheck } from './revocation-check.ts';

/** What the token service signs and accepts, in seconds. @internal */
export interface TokenLifetimes {
  /** The verifier's `clockTolerance`: how long after `exp` a token still verifies. */
  clockTolerance: number;
  /** The longest token the issuer signs: `jwtOptions.expiresIn`, or the key ring's `maxTokenLifetime`. */
  tokenLifetime: number;
}

/**
 * The ways a revocation check's entries expire before the tokens they refuse: a denylist entry lives until
 * `exp + tolerance` while the verifier accepts until `exp + clockTolerance`; a subject-wide revocation is
 * kept `maxTokenLifetime + tolerance` while tokens issued before it live `tokenLifetime`. Either way a
 * revoked token would verify again before it expires (invariant 5).
 * @returns One sentence per problem, naming both values; empty when the bounds cover the tokens.
 * @internal
 */
export function revocationLifetimeProblems(revocation: RevocationCheck, lifetimes: TokenLifetimes): string[] {
  const problems: string[] = [];
  const { tolerance, maxTokenLifetime } = revocation;
  if (typeof tolerance === 'number' && tolerance < lifetimes.clockTolerance) {
    problems.push(
      `the denylist's tolerance (${tolerance} s) is shorter than 'verifyOptions.clockTolerance' (${lifetimes.clockTolerance} s): ` +
        `a revoked token verifies again for the last ${lifetimes.clockTolerance - tolerance} s of its tolerance`,
    );
  }
  if (typeof maxTokenLifetime === 'number' && maxTokenLifetime < lifetimes.tokenLifetime) {
    problems.push(
      `the denylist's maxTokenLifetime (${maxTokenLifetime} s) is shorter than the token lifetime (${lifetimes.tokenLifetime} s): ` +
        `a "revoke all" for a subject is forgotten while tokens it revoked are still valid`,
    );
  }
  return problems;
}

/**
 * Warns (once per problem, through `process.emitWarning`, code `ORG_JWT_REVOCATION_LIFETIME`) when a
 * revocation check would forget revoked tokens before they expire. A warning, not an error: the settings
 * may be deliberate, and revocation still works for most of each token's life.
 * @internal
 */
export function warnOnShortRevocation(
  revocation: RevocationCheck | undefined,
  lifetimes: TokenLifetimes,
): void {
  if (revocation === undefined) return;
  for (const problem of revocationLifetimeProblems(revocation, lifetimes)) {
    process.emitWarning(`Revocation: ${problem}. Raise it on the denylist (createDenylist options).`, {
      code: 'ORG_JWT_REVOCATION_LIFETIME',
    });
  }
}
