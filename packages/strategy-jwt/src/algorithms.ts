import { constants } from 'node:crypto';

/**
 * Every JWS algorithm this package signs and verifies, in one table (RFC 7518 section 3, RFC 8037).
 *
 * - `family`: how the signature is computed; `hash`: the node:crypto digest name.
 * - `keyType`: the JWK `kty` (and the only `KeyObject` kind) a key for this algorithm may have; `crv`: its curve.
 * - `sigLength`: the exact JOSE signature length in bytes where it is fixed (HMAC tag, ECDSA `r || s`
 *   in IEEE P1363 form, Ed25519), so truncated, DER-form and zero-length signatures fail before any math.
 * - `minSecretBytes`: the smallest HMAC secret (RFC 7518 section 3.2: at least the hash output size).
 * - `namedCurve`: the OpenSSL curve name node:crypto reports for `crv`.
 */
export const ALGORITHMS = {
  HS256: { family: 'HS', hash: 'sha256', keyType: 'oct', sigLength: 32, minSecretBytes: 32 },
  HS384: { family: 'HS', hash: 'sha384', keyType: 'oct', sigLength: 48, minSecretBytes: 48 },
  HS512: { family: 'HS', hash: 'sha512', keyType: 'oct', sigLength: 64, minSecretBytes: 64 },
  RS256: { family: 'RS', hash: 'sha256', keyType: 'RSA' },
  RS384: { family: 'RS', hash: 'sha384', keyType: 'RSA' },
  RS512: { family: 'RS', hash: 'sha512', keyType: 'RSA' },
  PS256: { family: 'PS', hash: 'sha256', keyType: 'RSA', saltLength: 32 },
  PS384: { family: 'PS', hash: 'sha384', keyType: 'RSA', saltLength: 48 },
  PS512: { family: 'PS', hash: 'sha512', keyType: 'RSA', saltLength: 64 },
  ES256: {
    family: 'ES',
    hash: 'sha256',
    keyType: 'EC',
    crv: 'P-256',
    namedCurve: 'prime256v1',
    sigLength: 64,
  },
  ES384: {
    family: 'ES',
    hash: 'sha384',
    keyType: 'EC',
    crv: 'P-384',
    namedCurve: 'secp384r1',
    sigLength: 96,
  },
  ES512: {
    family: 'ES',
    hash: 'sha512',
    keyType: 'EC',
    crv: 'P-521',
    namedCurve: 'secp521r1',
    sigLength: 132,
  },
  EdDSA: { family: 'EdDSA', hash: undefined, keyType: 'OKP', crv: 'Ed25519', sigLength: 64 },
} as const;

/** A JWS algorithm name this package supports; see {@link ALGORITHMS}. */
export type JwsAlgorithm = keyof typeof ALGORITHMS;

/** The row of {@link ALGORITHMS} for one algorithm. */
export type AlgorithmSpec = (typeof ALGORITHMS)[JwsAlgorithm];

/** Every supported algorithm name, in table order. */
export const JWS_ALGORITHMS = Object.freeze(Object.keys(ALGORITHMS)) as readonly JwsAlgorithm[];

/**
 * True when `value` names a supported algorithm (exact, case-sensitive: `hs256` and `none` are not).
 * @param value - Any value, typically a JOSE header's `alg`.
 */
export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return typeof value === 'string' && Object.hasOwn(ALGORITHMS, value);
}

/**
 * The node:crypto `sign`/`verify` key options for one algorithm: RSA-PSS with MGF1 over the same hash and
 * a salt as long as the hash (RFC 7518 section 3.5), ECDSA in the JOSE `r || s` form (section 3.4).
 * @internal
 */
export function signingParameters(alg: JwsAlgorithm): {
  padding?: number;
  saltLength?: number;
  dsaEncoding?: 'ieee-p1363';
} {
  const spec = ALGORITHMS[alg];
  switch (spec.family) {
    case 'PS':
      return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: spec.saltLength };
    case 'ES':
      return { dsaEncoding: 'ieee-p1363' };
    default:
      return {};
  }
}
