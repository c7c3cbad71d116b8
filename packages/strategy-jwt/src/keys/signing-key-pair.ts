import { generateKeyPair, createPublicKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { ALGORITHMS, type JwsAlgorithm } from '../key-material/algorithms.ts';
import { jwkThumbprint } from './jwk-thumbprint.ts';

const generate = promisify(generateKeyPair);

/** An asymmetric JWS algorithm: the only kind the key ring generates and publishes. */
export type AsymmetricAlgorithm = Exclude<JwsAlgorithm, 'HS256' | 'HS384' | 'HS512'>;

/** The public JWK members the ring stores and publishes, per key type (RFC 7518 section 6, RFC 8037). */
const PUBLIC_MEMBERS = {
  RSA: ['kty', 'n', 'e'],
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
} as const;

/** A public JWK as the ring stores it: public members only, no metadata. */
export type PublicKeyJwk = Readonly<Record<string, string>>;

/**
 * True when `alg` is an asymmetric algorithm the ring can hold.
 * @param alg - Any value.
 * @internal
 */
export function isAsymmetricAlgorithm(alg: unknown): alg is AsymmetricAlgorithm {
  return (
    typeof alg === 'string' &&
    Object.hasOwn(ALGORITHMS, alg) &&
    ALGORITHMS[alg as JwsAlgorithm].keyType !== 'oct'
  );
}

/**
 * Reduces a JWK to the public members of its key type (an allow-list), or `undefined` when it is not an
 * asymmetric key of `alg`'s type or misses a member.
 * @internal
 */
export function publicMembers(
  jwk: Readonly<Record<string, unknown>>,
  alg: AsymmetricAlgorithm,
): PublicKeyJwk | undefined {
  const spec = ALGORITHMS[alg];
  if (jwk.kty !== spec.keyType) return undefined;
  if ('crv' in spec && jwk.crv !== spec.crv) return undefined;
  const out: Record<string, string> = {};
  for (const name of PUBLIC_MEMBERS[spec.keyType]) {
    const value = jwk[name];
    if (typeof value !== 'string' || value === '') return undefined;
    out[name] = value;
  }
  return out;
}

/** A freshly generated key pair with its public JWK and RFC 7638 `kid`. @internal */
export interface GeneratedKeyPair {
  kid: string;
  alg: AsymmetricAlgorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: PublicKeyJwk;
}

/**
 * Describes an existing private key as the ring holds it: public JWK, `kid` and public `KeyObject`.
 * @internal
 */
export function describeKeyPair(
  privateKey: KeyObject,
  alg: AsymmetricAlgorithm,
): GeneratedKeyPair | undefined {
  const publicKey = createPublicKey(privateKey);
  const publicJwk = publicMembers(publicKey.export({ format: 'jwk' }) as Record<string, unknown>, alg);
  const kid = publicJwk && jwkThumbprint(publicJwk);
  if (!publicJwk || !kid) return undefined;
  return { kid, alg, privateKey, publicKey, publicJwk };
}

/**
 * Generates a key pair for `alg` with node:crypto: P-256/384/521 for ES*, Ed25519 for EdDSA, RSA with
 * e = 65537 for RS and PS (plain `rsa`, not `rsa-pss`, so the public key exports as a JWK).
 * @param alg - The algorithm the key will sign with.
 * @param modulusLength - RSA modulus size in bits.
 * @internal
 */
export async function generateSigningKeyPair(
  alg: AsymmetricAlgorithm,
  modulusLength: number,
): Promise<GeneratedKeyPair> {
  const spec = ALGORITHMS[alg];
  let pair: { privateKey: KeyObject; publicKey: KeyObject };
  if (spec.keyType === 'EC') pair = await generate('ec', { namedCurve: spec.namedCurve });
  else if (spec.keyType === 'OKP') pair = await generate('ed25519');
  else pair = await generate('rsa', { modulusLength, publicExponent: 0x10001 });
  const described = describeKeyPair(pair.privateKey, alg);
  /* c8 ignore next */
  if (!described) throw new Error('generated key has no public JWK');
  return described;
}
