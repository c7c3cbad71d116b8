import { configError } from '@org/core/internal';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { ALGORITHMS, type JwsAlgorithm } from './algorithms.ts';
import { assertNotKeyMaterial } from './find-key-material.ts';
import { hasRocaFingerprint } from './roca.ts';
import { secretWeakness } from './secret-weakness.ts';

/** RSA keys smaller than this are refused (RFC 7518 section 3.3, NIST SP 800-131A). */
export const MIN_RSA_BITS = 2048;

/**
 * Checks a key against the algorithm it will serve, at configuration time.
 *
 * HS: a secret key (never a public or private key, nor key material in any encoding) at least as long as the hash, not a well-known weak
 * secret and not one repeated character. RS/PS: RSA, at least 2048 bits, e = 65537. ES: the curve of the
 * algorithm. EdDSA: Ed25519.
 * @param key - The imported key.
 * @param alg - The algorithm it is configured for.
 * @param setting - The configuration path named in errors, e.g. `authentication.secret`.
 * @param options - `weakSecrets: false` skips the example-secret and repeated-character heuristics (used
 * for published test vectors, whose keys are chosen for the math, not for secrecy); the length rule stays.
 * @throws BadRequest (`invalid-configuration`) naming the rule that failed.
 * @internal
 */
export function assertKeyPolicy(
  key: KeyObject,
  alg: JwsAlgorithm,
  setting: string,
  options: { weakSecrets?: boolean } = {},
): void {
  const spec = ALGORITHMS[alg];
  if (spec.keyType === 'oct') {
    if (key.type !== 'secret') {
      throw configError(
        `'${setting}' is a ${key.type} key; ${alg} needs a shared secret, never a public or private key`,
      );
    }
    const bytes = key.export();
    // Invariant 11, wherever the key came from (a secret KeyObject, an oct JWK, a key source).
    assertNotKeyMaterial(bytes, setting);
    const weakness = options.weakSecrets === false ? undefined : secretWeakness(bytes);
    if (weakness !== undefined) throw configError(`'${setting}' ${weakness}`);
    if (bytes.length < spec.minSecretBytes) {
      throw configError(
        `'${setting}' is ${bytes.length} bytes; ${alg} needs at least ${spec.minSecretBytes} bytes (the hash length)`,
      );
    }
    return;
  }
  if (key.type === 'secret') {
    throw configError(`'${setting}' is a shared secret; ${alg} needs an ${spec.keyType} key pair`);
  }
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  switch (spec.keyType) {
    case 'RSA': {
      if (type !== 'rsa' && !(spec.family === 'PS' && type === 'rsa-pss')) {
        throw configError(`'${setting}' is a ${String(type)} key; ${alg} needs an RSA key`);
      }
      if ((details.modulusLength ?? 0) < MIN_RSA_BITS) {
        throw configError(
          `'${setting}' is a ${details.modulusLength} bit RSA key; at least ${MIN_RSA_BITS} bits are required`,
        );
      }
      if (details.publicExponent !== 65537n) {
        throw configError(
          `'${setting}' has RSA public exponent ${String(details.publicExponent)}; only 65537 is accepted`,
        );
      }
      if (
        type === 'rsa-pss' &&
        spec.family === 'PS' &&
        !pssRestrictionsFit(details, spec.hash, spec.saltLength)
      ) {
        throw configError(
          `'${setting}' is an RSA-PSS key restricted to other parameters; ${alg} needs ${spec.hash}, MGF1 ${spec.hash} and a ${spec.saltLength} byte salt`,
        );
      }
      if (hasRocaFingerprint(rsaModulus(key))) {
        throw configError(`'${setting}' is an RSA key with the ROCA weakness (CVE-2017-15361); replace it`);
      }
      return;
    }
    case 'EC':
      if (type !== 'ec') throw configError(`'${setting}' is a ${String(type)} key; ${alg} needs an EC key`);
      if (details.namedCurve !== spec.namedCurve) {
        throw configError(`'${setting}' is on curve ${String(details.namedCurve)}; ${alg} needs ${spec.crv}`);
      }
      return;
    case 'OKP':
      if (type !== 'ed25519')
        throw configError(`'${setting}' is a ${String(type)} key; ${alg} needs an Ed25519 key`);
      return;
  }
}

/**
 * An `rsa-pss` key (RFC 4055) may carry parameter restrictions; node:crypto then refuses any other hash,
 * MGF1 hash or a shorter salt. The JWS PS* parameters are fixed (RFC 7518 section 3.5), so the key must
 * allow exactly them.
 */
function pssRestrictionsFit(
  details: { hashAlgorithm?: string; mgf1HashAlgorithm?: string; saltLength?: number },
  hash: string,
  saltLength: number,
): boolean {
  return (
    (details.hashAlgorithm === undefined || details.hashAlgorithm === hash) &&
    (details.mgf1HashAlgorithm === undefined || details.mgf1HashAlgorithm === hash) &&
    (details.saltLength === undefined || details.saltLength <= saltLength)
  );
}

/** One DER element: where its contents start and end. */
function derElement(der: Buffer, at: number, tag: number): { start: number; end: number } {
  if (der[at] !== tag) throw new Error('unexpected DER tag');
  let length = der[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  return { start, end: start + length };
}

/**
 * The RSA modulus as big-endian bytes. node:crypto exports no JWK for `rsa-pss` keys, so the modulus is
 * read from the SPKI: SEQUENCE { AlgorithmIdentifier, BIT STRING { RSAPublicKey { n, e } } } (RFC 3279).
 */
function rsaModulus(key: KeyObject): Buffer {
  const der = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' });
  const spki = derElement(der, 0, 0x30);
  const algorithm = derElement(der, spki.start, 0x30);
  const bits = derElement(der, algorithm.end, 0x03);
  const rsaPublicKey = derElement(der, bits.start + 1, 0x30);
  const n = derElement(der, rsaPublicKey.start, 0x02);
  return der.subarray(n.start, n.end);
}

const fitCache = new WeakMap<KeyObject, Map<string, boolean>>();

/**
 * True when `key` has the type (and curve) `alg` needs. Cached per key object, so the hot path pays
 * one map lookup, never an `asymmetricKeyDetails` call.
 * @internal
 */
export function keyFitsAlgorithm(key: KeyObject, alg: JwsAlgorithm): boolean {
  let perKey = fitCache.get(key);
  const cached = perKey?.get(alg);
  if (cached !== undefined) return cached;
  const spec = ALGORITHMS[alg];
  let fits: boolean;
  if (spec.keyType === 'oct') fits = key.type === 'secret';
  else if (key.type === 'secret') fits = false;
  else if (spec.keyType === 'RSA')
    fits =
      key.asymmetricKeyType === 'rsa' ||
      (spec.family === 'PS' &&
        key.asymmetricKeyType === 'rsa-pss' &&
        pssRestrictionsFit(key.asymmetricKeyDetails ?? {}, spec.hash, spec.saltLength));
  else if (spec.keyType === 'EC')
    fits = key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === spec.namedCurve;
  else fits = key.asymmetricKeyType === 'ed25519';
  if (!perKey) fitCache.set(key, (perKey = new Map()));
  perKey.set(alg, fits);
  return fits;
}

/**
 * The default algorithm for an asymmetric key: RS256 for RSA, the curve's ES* for EC, EdDSA for Ed25519.
 * @internal
 */
export function defaultAlgorithmFor(key: KeyObject): JwsAlgorithm | undefined {
  if (key.type === 'secret') return 'HS256';
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RS256';
    case 'rsa-pss': {
      // A restricted RSA-PSS key signs with one hash only.
      const hash = key.asymmetricKeyDetails?.hashAlgorithm;
      return hash === 'sha384' ? 'PS384' : hash === 'sha512' ? 'PS512' : 'PS256';
    }
    case 'ec':
      switch (key.asymmetricKeyDetails?.namedCurve) {
        case 'prime256v1':
          return 'ES256';
        case 'secp384r1':
          return 'ES384';
        case 'secp521r1':
          return 'ES512';
      }
      return undefined;
    case 'ed25519':
      return 'EdDSA';
  }
  return undefined;
}
