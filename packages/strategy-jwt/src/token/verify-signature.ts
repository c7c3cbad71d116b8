import { createHmac, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { ALGORITHMS, signingParameters, type JwsAlgorithm } from '../key-material/algorithms.ts';

const PARAMS = Object.fromEntries(
  (Object.keys(ALGORITHMS) as JwsAlgorithm[]).map((alg) => [alg, signingParameters(alg)]),
) as Record<JwsAlgorithm, ReturnType<typeof signingParameters>>;

/**
 * Checks a JOSE signature with node:crypto and a pre-imported key. Never throws.
 *
 * HS compares the HMAC with `timingSafeEqual`. ES takes only the fixed-length IEEE P1363 `r || s` form
 * (RFC 7518 section 3.4), so DER-encoded, truncated and empty signatures fail before any math; OpenSSL
 * then refuses r = 0 or s = 0. PS uses MGF1 with the same hash and a salt exactly as long as the hash.
 * The caller has already checked that `key` fits `alg`.
 * @param alg - The algorithm.
 * @param key - A secret (HS) or public key.
 * @param signingInput - `base64url(header) || '.' || base64url(payload)`, ASCII.
 * @param signature - The decoded signature bytes.
 * @internal
 */
export function verifySignature(
  alg: JwsAlgorithm,
  key: KeyObject,
  signingInput: string | Uint8Array,
  signature: Uint8Array,
): boolean {
  const spec = ALGORITHMS[alg];
  if ('sigLength' in spec && signature.length !== spec.sigLength) return false;
  try {
    const data = typeof signingInput === 'string' ? Buffer.from(signingInput, 'latin1') : signingInput;
    switch (spec.family) {
      case 'HS':
        return timingSafeEqual(createHmac(spec.hash, key).update(data).digest(), signature);
      case 'EdDSA':
        return verify(null, data, key, signature);
      default:
        return verify(spec.hash, data, { key, ...PARAMS[alg] }, signature);
    }
  } catch {
    return false;
  }
}
