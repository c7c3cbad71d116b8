import { createHmac, sign as cryptoSign } from 'node:crypto';
import { ALGORITHMS, signingParameters } from '../key-material/algorithms.ts';
import type { SigningKey } from '../key-material/key-source.ts';

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * Signs a compact JWS with node:crypto and a pre-imported key: the same bytes jose's `SignJWT` produces for
 * the same header and payload objects (JSON.stringify, base64url without padding; ECDSA in P1363 form;
 * RSA-PSS with a hash-length salt).
 * @param header - JOSE header members; `alg` and `kid` come from `key` and are put first.
 * @param payloadJson - The claims, already serialised (the caller checked that text).
 * @param key - The signing key.
 * @internal
 */
export function signCompact(header: Record<string, unknown>, payloadJson: string, key: SigningKey): string {
  const { alg: _alg, kid: _kid, ...rest } = header;
  const fullHeader =
    key.kid === undefined ? { alg: key.alg, ...rest } : { alg: key.alg, kid: key.kid, ...rest };
  const signingInput = `${encodeJson(fullHeader)}.${Buffer.from(payloadJson, 'utf8').toString('base64url')}`;
  const spec = ALGORITHMS[key.alg];
  const data = Buffer.from(signingInput, 'latin1');
  let signature: Buffer;
  if (spec.family === 'HS') signature = createHmac(spec.hash, key.key).update(data).digest();
  else if (spec.family === 'EdDSA') signature = cryptoSign(null, data, key.key);
  else signature = cryptoSign(spec.hash, data, { key: key.key, ...signingParameters(key.alg) });
  return `${signingInput}.${signature.toString('base64url')}`;
}
