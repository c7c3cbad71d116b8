import { createHmac, createSecretKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { ALGORITHMS, signingParameters, type JwsAlgorithm } from '../key-material/algorithms.ts';

/** Test keys, generated once per test file. */
export const SECRET = 'k3P9-vQ2xLr8_Tz4Wm7bN1cY6hJ0sD5fA9gE2uR8iO4pK7lZ';
export const SECRET_KEY = createSecretKey(Buffer.from(SECRET, 'utf8'));
export const RSA = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const RSA_ATTACKER = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const EC256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
export const EC384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
export const EC521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
export const ED25519 = generateKeyPairSync('ed25519');

/** A fixed clock: 2030-01-01T00:00:00Z. */
export const NOW_MS = Date.UTC(2030, 0, 1);
export const NOW = NOW_MS / 1000;

/** A private (or secret) key per algorithm, with the matching public key. */
export function keysFor(alg: JwsAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (ALGORITHMS[alg].family) {
    case 'HS':
      return {
        privateKey: createSecretKey(Buffer.from(SECRET.repeat(2), 'utf8')),
        publicKey: createSecretKey(Buffer.from(SECRET.repeat(2), 'utf8')),
      };
    case 'RS':
    case 'PS':
      return RSA;
    case 'EdDSA':
      return ED25519;
    default:
      return alg === 'ES256' ? EC256 : alg === 'ES384' ? EC384 : EC521;
  }
}

/** Encodes text as base64url. */
export function b64(text: string | Uint8Array): string {
  return Buffer.from(text).toString('base64url');
}

/**
 * Signs arbitrary header and payload TEXT (so tests can forge duplicates, BOMs, odd JSON) with any key,
 * bypassing every check of the signer.
 */
export function forge(
  alg: JwsAlgorithm,
  key: KeyObject | Uint8Array,
  headerText: string | Uint8Array,
  payloadText: string | Uint8Array,
): string {
  const input = `${b64(headerText)}.${b64(payloadText)}`;
  const spec = ALGORITHMS[alg];
  let signature: Buffer;
  if (spec.family === 'HS')
    signature = createHmac(spec.hash, key as KeyObject)
      .update(input)
      .digest();
  else if (spec.family === 'EdDSA') signature = sign(null, Buffer.from(input), key as KeyObject);
  else signature = sign(spec.hash, Buffer.from(input), { key: key as KeyObject, ...signingParameters(alg) });
  return `${input}.${signature.toString('base64url')}`;
}

/** Standard valid claims at {@link NOW}. */
export function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    aud: 'https://yourdomain.com',
    iss: 'feathers',
    iat: NOW,
    exp: NOW + 3600,
    sub: '42',
    jti: 'j1',
    ...extra,
  };
}
