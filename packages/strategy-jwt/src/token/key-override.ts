import { KeyObject, type JsonWebKey } from 'node:crypto';
import { configError } from '@org/core/internal';
import { ALGORITHMS, type JwsAlgorithm } from '../key-material/algorithms.ts';
import { findKeyMaterial } from '../key-material/find-key-material.ts';
import {
  importPrivateKey,
  importPublicKey,
  importSecret,
  type KeyInput,
  type SecretInput,
} from '../key-material/key-import.ts';
import { assertKeyPolicy, defaultAlgorithmFor, keyFitsAlgorithm } from '../key-material/key-policy.ts';
import { StaticKeySource, type SigningKey } from '../key-material/key-source.ts';

/** The configuration path named in the errors about a per-call key. */
const SETTING = 'secret override';

/** What a per-call key is, from its form: a private key, public material, or a shared secret. */
function kindOf(input: unknown): 'private' | 'public' | 'secret' {
  if (input instanceof KeyObject) return input.type;
  if (input !== null && typeof input === 'object' && !(input instanceof Uint8Array)) {
    const jwk = input as JsonWebKey;
    if (jwk.kty === 'oct') return 'secret';
    return typeof jwk.d === 'string' ? 'private' : 'public';
  }
  if (typeof input === 'string' && input.trim().startsWith('{')) {
    try {
      return kindOf(JSON.parse(input));
    } catch {
      return 'secret'; // importSecret reports the unreadable JWK text
    }
  }
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const found = findKeyMaterial(typeof input === 'string' ? Buffer.from(input) : input);
    if (found?.kind === 'a private key') return 'private';
    if (found !== undefined) return 'public';
    return 'secret';
  }
  throw configError(`'${SETTING}' must be a string, bytes, a JWK or a KeyObject`);
}

/** The algorithm for `key`: the requested one, else the configured one when it fits, else the key's own. */
function algorithmFor(key: KeyObject, requested: unknown, configured: JwsAlgorithm): JwsAlgorithm {
  if (requested !== undefined) return requested as JwsAlgorithm; // validated by the options resolver
  if (keyFitsAlgorithm(key, configured)) return configured;
  const own = defaultAlgorithmFor(key);
  if (own === undefined) throw configError(`No JWS algorithm fits the '${SETTING}' key`);
  return own;
}

/**
 * The key a per-call `secret` argument signs with (Feathers' `secretOverride`): a shared secret, or a
 * private key (PEM, JWK, DER, KeyObject), imported now and held to the same key policy as a configured
 * key. Public key material is refused as a secret, as everywhere.
 * @param input - The argument.
 * @param requested - A per-call `algorithm`, when given.
 * @param configured - The configured signing algorithm.
 * @throws BadRequest (`invalid-configuration`) naming the rule the key fails.
 * @internal
 */
export function signingKeyOverride(input: unknown, requested: unknown, configured: JwsAlgorithm): SigningKey {
  const key =
    kindOf(input) === 'private'
      ? importPrivateKey(input as KeyInput, SETTING)
      : importSecret(input as SecretInput, SETTING);
  const alg = algorithmFor(key, requested, configured);
  assertKeyPolicy(key, alg, SETTING);
  return { alg, key };
}

/**
 * The key a per-call `secret` argument verifies with: a shared secret, or public material (a public or
 * private key, a certificate), with the algorithms it may verify (the per-call `algorithms`, else the one
 * that fits it). The configured `verifyOptions.algorithms` are for the configured keys and do not apply.
 * @param input - The argument.
 * @param requested - Per-call `algorithms`, when given.
 * @param configured - The configured signing algorithm.
 * @throws BadRequest (`invalid-configuration`) naming the rule the key fails.
 * @internal
 */
export function verificationKeyOverride(
  input: unknown,
  requested: readonly JwsAlgorithm[] | undefined,
  configured: JwsAlgorithm,
): { source: StaticKeySource; algorithms: JwsAlgorithm[] } {
  const key =
    kindOf(input) === 'secret'
      ? importSecret(input as SecretInput, SETTING)
      : importPublicKey(input as KeyInput, SETTING);
  const algorithms = requested ? [...requested] : [algorithmFor(key, undefined, configured)];
  for (const alg of algorithms) {
    if (ALGORITHMS[alg] === undefined) continue; // the options resolver names it
    assertKeyPolicy(key, alg, SETTING);
  }
  return { source: new StaticKeySource(algorithms.map((alg) => ({ alg, key }))), algorithms };
}
