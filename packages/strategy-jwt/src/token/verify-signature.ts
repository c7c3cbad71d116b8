import { createHmac, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { ALGORITHMS, signingParameters, type JwsAlgorithm } from '../key-material/algorithms.ts';

const PARAMS = Object.fromEntries(
  (Object.keys(ALGORITHMS) as JwsAlgorithm[]).map((alg) => [alg, signingParameters(alg)]),
) as Record<JwsAlgorithm, ReturnType<typeof signingParameters>>;

/**
 * Compares two strings of equal length without an early exit, so the time does not say how many leading
 * characters of a forged HMAC were right.
 */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/**
 * Checks a JOSE signature with node:crypto and a pre-imported key. Never throws.
 *
 * HS compares the HMAC in constant time: as bytes with `timingSafeEqual`, or, for a signature given as
 * its base64url text, as text against the HMAC's base64url text (one canonical encoding per byte string,
 * which the pre-parser enforces, so equal text is equal bytes; it saves decoding the signature). ES takes
 * only the fixed-length IEEE P1363 `r || s` form (RFC 7518 section 3.4), so DER-encoded, truncated and
 * empty signatures fail before any math; OpenSSL then refuses r = 0 or s = 0. PS uses MGF1 with the same
 * hash and a salt exactly as long as the hash. The caller has already checked that `key` fits `alg`.
 * @param alg - The algorithm.
 * @param key - A secret (HS) or public key.
 * @param signingInput - `base64url(header) || '.' || base64url(payload)`, ASCII.
 * @param signature - The signature bytes, or their canonical unpadded base64url text.
 * @internal
 */
export function verifySignature(
  alg: JwsAlgorithm,
  key: KeyObject,
  signingInput: string | Uint8Array,
  signature: string | Uint8Array,
): boolean {
  const spec = ALGORITHMS[alg];
  try {
    if (spec.family === 'HS' && typeof signature === 'string') {
      const hmac = createHmac(spec.hash, key);
      if (typeof signingInput === 'string') hmac.update(signingInput, 'latin1');
      else hmac.update(signingInput);
      return constantTimeEqual(hmac.digest('base64url'), signature);
    }
    const bytes = typeof signature === 'string' ? Buffer.from(signature, 'base64url') : signature;
    if ('sigLength' in spec && bytes.length !== spec.sigLength) return false;
    const data = typeof signingInput === 'string' ? Buffer.from(signingInput, 'latin1') : signingInput;
    switch (spec.family) {
      case 'HS':
        return timingSafeEqual(createHmac(spec.hash, key).update(data).digest(), bytes);
      case 'EdDSA':
        return verify(null, data, key, bytes);
      default:
        return verify(spec.hash, data, { key, ...PARAMS[alg] }, bytes);
    }
  } catch {
    return false;
  }
}
