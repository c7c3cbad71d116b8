import { verify, type KeyObject } from 'node:crypto';
import { ALGORITHMS, signingParameters, type JwsAlgorithm } from '../key-material/algorithms.ts';
import { verifySignature } from './verify-signature.ts';

const PARAMS = Object.fromEntries(
  (Object.keys(ALGORITHMS) as JwsAlgorithm[]).map((alg) => [alg, signingParameters(alg)]),
) as Record<JwsAlgorithm, ReturnType<typeof signingParameters>>;

/**
 * {@link verifySignature} with the public-key math on libuv's thread pool: the callback form of
 * `crypto.verify` runs the operation as an async job, so the event loop keeps serving while an RSA, PS,
 * ECDSA or EdDSA signature is checked. Never rejects.
 *
 * HMAC stays synchronous (a thread-pool hop costs more than the hash of a token). The same checks as the
 * synchronous path apply: ES takes only the fixed-length `r || s` form, PS the hash-length salt.
 * @param alg - The algorithm.
 * @param key - A secret (HS) or public key that fits `alg`.
 * @param signingInput - `base64url(header) || '.' || base64url(payload)`, ASCII.
 * @param signature - The decoded signature bytes.
 * @returns Whether the signature verifies.
 * @internal
 */
export function verifySignatureOffloaded(
  alg: JwsAlgorithm,
  key: KeyObject,
  signingInput: string,
  signature: Uint8Array,
): Promise<boolean> {
  const spec = ALGORITHMS[alg];
  if (spec.family === 'HS') return Promise.resolve(verifySignature(alg, key, signingInput, signature));
  if ('sigLength' in spec && signature.length !== spec.sigLength) return Promise.resolve(false);
  const data = Buffer.from(signingInput, 'latin1');
  return new Promise((resolve) => {
    try {
      if (spec.family === 'EdDSA') {
        verify(null, data, key, signature, (error, ok) => resolve(error === null && ok));
      } else {
        verify(spec.hash, data, { key, ...PARAMS[alg] }, signature, (error, ok) =>
          resolve(error === null && ok),
        );
      }
    } catch {
      // Node throws synchronously for arguments it refuses before queueing the job.
      resolve(false);
    }
  });
}
