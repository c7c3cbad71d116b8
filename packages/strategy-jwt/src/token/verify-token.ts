import { validateClaims, type JwtPayload } from './claims.ts';
import type { VerificationKeySource } from '../key-material/key-source.ts';
import type { ResolvedVerifyOptions } from './options.ts';
import { decodeJsonObject } from './strict-json.ts';
import { verifyJws } from './verify-jws.ts';

/** A verified token's header and claims. @internal */
export interface VerifiedToken {
  header: Record<string, unknown>;
  payload: JwtPayload;
}

/**
 * The whole strict verification, synchronous: {@link verifyJws} (pre-parser, header, key, signature), then
 * the payload as strict JSON (only now: nothing unauthenticated is parsed), then the claims.
 * Revocation, which may need a store, is the caller's (async) last step.
 * @param token - The raw token.
 * @param source - Where keys come from.
 * @param options - Resolved verification options.
 * @param now - The current time in whole seconds.
 * @throws NotAuthenticated with a stable reason; never anything else.
 * @internal
 */
export function verifyToken(
  token: unknown,
  source: VerificationKeySource,
  options: ResolvedVerifyOptions,
  now: number,
): VerifiedToken {
  const { header, parts } = verifyJws(token, source, options.algorithms);
  const payload = decodeJsonObject(parts.payload);
  validateClaims(payload, header, options, now);
  return { header, payload };
}
