import { configError } from '@org/core/internal';
import { isJwsAlgorithm, type JwsAlgorithm } from './algorithms.ts';

/** An operation a JWK's `key_ops` may allow (RFC 7517 section 4.3), of those a JWS key performs. */
export type JwkOperation = 'sign' | 'verify';

/**
 * `key_ops` members, tolerating comma-separated values inside one string (`["sign, verify"]`, as in
 * Wycheproof's RFC 7520 key-ops group, which it expects to verify).
 */
function keyOps(value: unknown, setting: string): Set<string> {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw configError(`'${setting}.key_ops' must be an array of strings`);
  }
  return new Set(value.flatMap((v: string) => v.split(/[\s,]+/).filter(Boolean)));
}

/**
 * Honours a JWK's metadata for the use it is configured for (RFC 7517 section 4): `use` must be `sig`
 * when present, `key_ops` must allow one of `operations` when present, and `alg` must be a supported JWS
 * algorithm. Key type and curve are checked against the algorithm later, by the key policy.
 * @param jwk - The JWK (any members).
 * @param setting - The configuration path named in errors, e.g. `authentication.privateKey`.
 * @param operations - The operations the setting performs; `key_ops` must list at least one.
 * @returns The JWK's `alg`, when it has one.
 * @throws BadRequest (`invalid-configuration`) naming the member that does not fit.
 * @internal
 */
export function jwkMetadata(
  jwk: Readonly<Record<string, unknown>>,
  setting: string,
  operations: readonly JwkOperation[],
): JwsAlgorithm | undefined {
  if (jwk.use !== undefined && jwk.use !== 'sig') {
    throw configError(`'${setting}.use' is "${String(jwk.use)}"; a signature key needs "sig"`);
  }
  if (jwk.key_ops !== undefined) {
    const ops = keyOps(jwk.key_ops, setting);
    if (!operations.some((op) => ops.has(op))) {
      throw configError(
        `'${setting}.key_ops' does not allow ${operations.map((op) => `"${op}"`).join(' or ')}`,
      );
    }
  }
  if (jwk.alg === undefined) return undefined;
  if (!isJwsAlgorithm(jwk.alg)) throw configError(`'${setting}.alg' is not a supported JWS algorithm`);
  return jwk.alg;
}
