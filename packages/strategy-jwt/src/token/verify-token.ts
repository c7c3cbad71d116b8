import type { KeyObject } from 'node:crypto';
import { validateClaims, type JwtPayload } from './claims.ts';
import type { CompactParts } from './compact-parse.ts';
import { ALGORITHMS, type JwsAlgorithm } from '../key-material/algorithms.ts';
import type { VerificationKeySource } from '../key-material/key-source.ts';
import type { ResolvedVerifyOptions } from './options.ts';
import { decodeJsonObject } from './strict-json.ts';
import {
  assertSignature,
  checkJws,
  invalidSignature,
  rememberHeader,
  verifyJws,
  type CheckedJws,
} from './verify-jws.ts';
import { verifySignatureOffloaded } from './verify-signature-offload.ts';

/** A verified token's header and claims. @internal */
export interface VerifiedToken {
  header: Record<string, unknown>;
  payload: JwtPayload;
}

/** A verified token with the key that verified it (what the verified-token cache keeps). @internal */
export interface VerifiedTokenWithKey extends VerifiedToken {
  alg: JwsAlgorithm;
  key: KeyObject;
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
  return finish(verifyJws(token, source, options.algorithms), options, now);
}

function finish(checked: CheckedJws, options: ResolvedVerifyOptions, now: number): VerifiedTokenWithKey {
  const payload = decodeJsonObject(checked.parts.payload);
  validateClaims(payload, checked.header, options, now);
  return { header: checked.header, payload, alg: checked.alg, key: checked.key };
}

/**
 * {@link verifyToken} from already pre-parsed parts (the verified-token cache parses first, to key on a
 * strictly valid token), returning the key that verified. With `options.offloadSignature`, an asymmetric
 * signature is checked on libuv's thread pool ({@link verifySignatureOffloaded}); every other check is the
 * same code as the synchronous path, in the same order; HMAC is always checked synchronously.
 * @param parts - The output of `parseCompact`.
 * @param source - Where keys come from.
 * @param options - Resolved verification options.
 * @param now - The current time in whole seconds, read before the signature is checked.
 * @returns The header, claims, algorithm and key; a promise only when the signature is offloaded.
 * @throws NotAuthenticated with a stable reason (a rejection when offloaded); never anything else.
 * @internal
 */
export function verifyParsedToken(
  parts: CompactParts,
  source: VerificationKeySource,
  options: ResolvedVerifyOptions,
  now: number,
): VerifiedTokenWithKey | Promise<VerifiedTokenWithKey> {
  const checked = checkJws(parts, source, options.algorithms);
  // HMAC stays on the event loop: a thread-pool hop costs more than hashing a token.
  if (options.offloadSignature && ALGORITHMS[checked.alg].family !== 'HS') {
    return verifySignatureOffloaded(
      checked.alg,
      checked.key,
      parts.signingInput,
      Buffer.from(parts.signature, 'base64url'),
    ).then((ok) => {
      if (!ok) throw invalidSignature();
      rememberHeader(checked);
      return finish(checked, options, now);
    });
  }
  return finish(assertSignature(checked), options, now);
}
