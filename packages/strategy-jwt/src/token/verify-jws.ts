import type { KeyObject } from 'node:crypto';
import { NotAuthenticated } from '@org/core';
import { isJwsAlgorithm, type JwsAlgorithm } from '../key-material/algorithms.ts';
import { parseCompact, type CompactParts } from './compact-parse.ts';
import type { VerificationKeySource } from '../key-material/key-source.ts';
import { keyFitsAlgorithm } from '../key-material/key-policy.ts';
import { decodeJsonObject } from './strict-json.ts';
import { headerCache, type CheckedHeader } from './header-cache.ts';
import { verifySignature } from './verify-signature.ts';

/**
 * Header members refused outright: `crit` (no extension is implemented, so every critical one is unknown,
 * RFC 7515 section 4.1.11), `b64` (RFC 7797 unencoded payloads are not JWTs), `cty` (nested JWTs are not
 * accepted), and the JWE members `enc` and `zip`.
 *
 * `jwk`, `jku`, `x5u`, `x5c`, `x5t` and `x5t#S256` are ignored: they are never read, so they cannot select a
 * key or cause a request; the key comes from configuration only. Ignoring (rather than refusing) keeps
 * tokens from issuers that add `x5t` verifying, as they do with jose.
 * @internal
 */
export const REFUSED_HEADERS = ['crit', 'b64', 'cty', 'enc', 'zip'] as const;

/** A JWS whose header and signature passed every check; the payload is not decoded yet. @internal */
export interface VerifiedJws {
  /** Frozen when it came from, or went into, the header cache. */
  header: Readonly<Record<string, unknown>>;
  alg: JwsAlgorithm;
  parts: CompactParts;
}

function fail(
  reason: 'token-malformed' | 'algorithm-not-allowed' | 'key-not-found' | 'invalid-signature',
  message: string,
): NotAuthenticated {
  return new NotAuthenticated(message, { reason });
}

/** A JWS whose header passed every check and whose key is resolved; the signature is not checked yet. @internal */
export interface CheckedJws extends VerifiedJws {
  /** The key that must verify the signature (it fits `alg`). */
  key: KeyObject;
  /** The header's checks to put into the header cache once the signature verifies; absent when it came from there. */
  checkedHeader: CheckedHeader | undefined;
}

/**
 * Decodes and checks a header segment, in order: strict JSON, `alg` a string, from the allow-list (the
 * table's names only, so `none` in any casing is refused), no refused member, `kid` a string if present.
 */
function checkHeader(segment: string, algorithms: ReadonlySet<JwsAlgorithm>): CheckedHeader {
  const header = decodeJsonObject(segment);
  const alg = header.alg;
  if (typeof alg !== 'string') throw fail('token-malformed', 'Malformed token: missing "alg"');
  if (!isJwsAlgorithm(alg) || !algorithms.has(alg))
    throw fail('algorithm-not-allowed', 'Algorithm not allowed');
  for (const name of REFUSED_HEADERS) {
    if (Object.hasOwn(header, name)) throw fail('token-malformed', `Unsupported header "${name}"`);
  }
  const kid = header.kid;
  if (kid !== undefined && typeof kid !== 'string')
    throw fail('token-malformed', 'Malformed token: "kid" is not a string');
  return { header, alg, kid };
}

/**
 * The key `source` gives for `alg` and `kid`, or `undefined` when it has none or throws (a source's
 * failure is "no key", never another error).
 * @param source - Where keys come from.
 * @param alg - The token's algorithm.
 * @param kid - The token's `kid`, if it has one.
 * @internal
 */
export function resolveKey(
  source: VerificationKeySource,
  alg: JwsAlgorithm,
  kid: string | undefined,
): ReturnType<VerificationKeySource['resolve']> | undefined {
  try {
    return source.resolve(kid === undefined ? { alg } : { alg, kid });
  } catch {
    return undefined;
  }
}

/**
 * Every check of {@link verifyJws} before the signature: strict header JSON, header checks (`alg` from
 * the allow-list only, refused members, `kid` type), key resolution from memory and key type against
 * `alg`. Split out so the signature can also be checked off the main thread, after the same checks; the
 * caller hands the result to {@link rememberHeader} once the signature has verified.
 *
 * A header segment seen before in a token that verified comes from {@link headerCache}: its decoding and
 * call-independent checks gave the same answer then, so only the allow-list is checked again. Such a
 * header is frozen.
 * @param parts - The output of the pre-parser ({@link parseCompact}).
 * @param source - Where keys come from.
 * @param algorithms - The configured allow-list.
 * @throws NotAuthenticated with reason `token-malformed`, `algorithm-not-allowed` or `key-not-found`.
 * @internal
 */
export function checkJws(
  parts: CompactParts,
  source: VerificationKeySource,
  algorithms: ReadonlySet<JwsAlgorithm>,
): CheckedJws {
  const cached = headerCache.get(parts.header);
  const checked = cached ?? checkHeader(parts.header, algorithms);
  const { alg, kid } = checked;
  if (cached !== undefined && !algorithms.has(alg))
    throw fail('algorithm-not-allowed', 'Algorithm not allowed');
  const resolved = resolveKey(source, alg, kid);
  if (!resolved) throw fail('key-not-found', 'No key for this token');
  if (resolved.alg !== alg || !keyFitsAlgorithm(resolved.key, alg)) {
    throw fail('algorithm-not-allowed', 'Algorithm does not match the key');
  }
  return {
    header: checked.header,
    alg,
    parts,
    key: resolved.key,
    checkedHeader: cached === undefined ? checked : undefined,
  };
}

/**
 * Puts a header whose token's signature has verified into {@link headerCache} (only then, so a forger's
 * tokens never push entries out). A header that came from the cache is not put back.
 * @param checked - The output of {@link checkJws} for a token whose signature verified.
 * @internal
 */
export function rememberHeader(checked: CheckedJws): void {
  if (checked.checkedHeader !== undefined) headerCache.set(checked.parts.header, checked.checkedHeader);
}

/**
 * The JWS half of strict verification, in order: pre-parser, strict header JSON, header checks (`alg` from
 * the allow-list only, refused members, `kid` type), key resolution from memory, key type against `alg`,
 * and the signature. The payload is left encoded so nothing unauthenticated is parsed.
 * @param token - The raw compact JWS.
 * @param source - Where keys come from.
 * @param algorithms - The configured allow-list.
 * @throws NotAuthenticated with reason `token-malformed`, `algorithm-not-allowed`, `key-not-found` or `invalid-signature`.
 * @internal
 */
export function verifyJws(
  token: unknown,
  source: VerificationKeySource,
  algorithms: ReadonlySet<JwsAlgorithm>,
): CheckedJws {
  return assertSignature(checkJws(parseCompact(token), source, algorithms));
}

/**
 * The synchronous signature step after {@link checkJws}: throws `invalid-signature` unless the signature
 * verifies, then puts the header into the header cache ({@link rememberHeader}).
 * @param checked - The output of {@link checkJws}.
 * @returns `checked`, now verified.
 * @throws NotAuthenticated with reason `invalid-signature`.
 * @internal
 */
export function assertSignature(checked: CheckedJws): CheckedJws {
  if (!verifySignature(checked.alg, checked.key, checked.parts.signingInput, checked.parts.signature)) {
    throw invalidSignature();
  }
  rememberHeader(checked);
  return checked;
}

/** The error of a signature that does not verify (shared by the synchronous and offloaded paths). @internal */
export function invalidSignature(): NotAuthenticated {
  return fail('invalid-signature', 'Invalid signature');
}
