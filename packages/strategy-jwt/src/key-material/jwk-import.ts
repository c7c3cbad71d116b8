import { configError } from '@org/core/internal';
import { createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ALGORITHMS } from './algorithms.ts';
import { jwkMetadata } from './jwk-metadata.ts';
import { assertNotKeyMaterial } from './find-key-material.ts';
import { assertKeyPolicy, defaultAlgorithmFor, keyFitsAlgorithm } from './key-policy.ts';
import { StaticKeySource, type StaticKeyEntry } from './key-source.ts';

/** Options of {@link verificationKeyFromJwk} and {@link keySourceFromJwks}. */
export interface JwkImportOptions {
  /** The configuration path named in errors. @defaultValue `'jwk'` */
  setting?: string;
  /** Apply the weak-secret heuristics of the key policy. @defaultValue `true` */
  weakSecrets?: boolean;
}

/**
 * Imports one JWK as a verification key, once, honouring its metadata: `use` must be `sig` when present,
 * `key_ops` must allow `verify` (or `sign`, for a private JWK) when present, `alg` must be a supported JWS
 * algorithm that fits the key. A private JWK yields its public half. The key policy applies.
 * @param jwk - A public, private or `oct` JWK.
 * @param options - Error path and policy switches.
 * @returns The key with its algorithm (`alg`, or the key type's default) and `kid`.
 * @throws BadRequest (`invalid-configuration`) naming the rule that failed.
 * @example
 * ```ts
 * const entry = verificationKeyFromJwk({ kty: 'EC', crv: 'P-256', x, y, kid: 'k1', alg: 'ES256' });
 * ```
 */
export function verificationKeyFromJwk(jwk: JsonWebKey, options: JwkImportOptions = {}): StaticKeyEntry {
  const setting = options.setting ?? 'jwk';
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk))
    throw configError(`'${setting}' must be a JWK object`);
  const declared = jwkMetadata(jwk as Record<string, unknown>, setting, ['verify', 'sign']);
  let key: KeyObject;
  try {
    if (jwk.kty === 'oct') {
      if (typeof jwk.k !== 'string' || jwk.k.length === 0) throw new Error('no k');
      key = createSecretKey(Buffer.from(jwk.k, 'base64url'));
    } else {
      key = createPublicKey({ key: jwk, format: 'jwk' });
    }
  } catch {
    throw configError(`'${setting}' is not a valid JWK (key type, curve or point)`);
  }
  if (key.type === 'secret') assertNotKeyMaterial(key.export(), `${setting}.k`);
  const alg = declared ?? defaultAlgorithmFor(key);
  if (alg === undefined || !keyFitsAlgorithm(key, alg)) {
    throw configError(`'${setting}' does not fit ${alg ?? 'any supported algorithm'}`);
  }
  assertKeyPolicy(key, alg, setting, { weakSecrets: options.weakSecrets ?? true });
  return typeof jwk.kid === 'string' ? { alg, key, kid: jwk.kid } : { alg, key };
}

/**
 * Builds a {@link StaticKeySource} from a JWK Set. Refuses ambiguous sets: two keys with one `kid`, or
 * shared secrets mixed with asymmetric keys (a verifier must never be able to pick an HMAC key for a token
 * meant for a public key).
 * @param jwks - `{ keys: JWK[] }`.
 * @param options - Error path and policy switches.
 * @throws BadRequest (`invalid-configuration`).
 * @example
 * ```ts
 * const source = keySourceFromJwks(await (await fetch(url)).json());
 * ```
 */
export function keySourceFromJwks(
  jwks: { keys: readonly JsonWebKey[] },
  options: JwkImportOptions = {},
): StaticKeySource {
  const setting = options.setting ?? 'jwks';
  if (jwks === null || typeof jwks !== 'object' || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
    throw configError(`'${setting}' must be a JWK Set with at least one key`);
  }
  const entries = jwks.keys.map((jwk, i) =>
    verificationKeyFromJwk(jwk, { ...options, setting: `${setting}.keys[${i}]` }),
  );
  const kids = new Set<string>();
  for (const entry of entries) {
    if (entry.kid === undefined) continue;
    if (kids.has(entry.kid)) throw configError(`'${setting}' has two keys with the same kid`);
    kids.add(entry.kid);
  }
  const symmetric = entries.filter((entry) => ALGORITHMS[entry.alg].family === 'HS').length;
  if (symmetric > 0 && symmetric < entries.length) {
    throw configError(`'${setting}' mixes shared secrets with asymmetric keys`);
  }
  return new StaticKeySource(entries);
}
