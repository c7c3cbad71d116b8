import { constants } from 'node:crypto';

/** What every row of {@link ALGORITHMS} says. */
export interface AlgorithmBase {
  /** How the signature is computed. */
  readonly family: 'HS' | 'RS' | 'PS' | 'ES' | 'EdDSA';
  /** The node:crypto digest name (none for EdDSA, which hashes internally). */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | undefined;
  /** The JWK `kty`, and so the only `KeyObject` kind, a key for this algorithm may have. */
  readonly keyType: 'oct' | 'RSA' | 'EC' | 'OKP';
}

/** HMAC (RFC 7518 section 3.2). */
export interface HmacAlgorithmSpec extends AlgorithmBase {
  readonly family: 'HS';
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  readonly keyType: 'oct';
  /** The tag length in bytes: a truncated tag never verifies. */
  readonly sigLength: number;
  /** The smallest secret in bytes: at least the hash output size. */
  readonly minSecretBytes: number;
}

/** RSASSA-PKCS1-v1_5 (RFC 7518 section 3.3). */
export interface RsaAlgorithmSpec extends AlgorithmBase {
  readonly family: 'RS';
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  readonly keyType: 'RSA';
}

/** RSASSA-PSS with MGF1 over the same hash (RFC 7518 section 3.5). */
export interface PssAlgorithmSpec extends AlgorithmBase {
  readonly family: 'PS';
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  readonly keyType: 'RSA';
  /** The salt length in bytes: the hash length, exactly. */
  readonly saltLength: number;
}

/** ECDSA with the JOSE `r || s` signature form (RFC 7518 section 3.4). */
export interface EcAlgorithmSpec extends AlgorithmBase {
  readonly family: 'ES';
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  readonly keyType: 'EC';
  /** The JWK curve name. */
  readonly crv: 'P-256' | 'P-384' | 'P-521';
  /** The OpenSSL curve name node:crypto reports for `crv`. */
  readonly namedCurve: 'prime256v1' | 'secp384r1' | 'secp521r1';
  /** The IEEE P1363 signature length in bytes: DER-form and padded signatures never verify. */
  readonly sigLength: number;
}

/** EdDSA over Ed25519 (RFC 8037). */
export interface EdDsaAlgorithmSpec extends AlgorithmBase {
  readonly family: 'EdDSA';
  readonly hash: undefined;
  readonly keyType: 'OKP';
  /** The JWK curve name. */
  readonly crv: 'Ed25519';
  /** The signature length in bytes. */
  readonly sigLength: number;
}

/** One row of {@link ALGORITHMS}. */
export type AlgorithmSpec =
  HmacAlgorithmSpec | RsaAlgorithmSpec | PssAlgorithmSpec | EcAlgorithmSpec | EdDsaAlgorithmSpec;

/** The shape of {@link ALGORITHMS}: each algorithm name with the kind of row it has. */
export interface AlgorithmTable {
  /** HMAC with SHA-256. */
  readonly HS256: HmacAlgorithmSpec;
  /** HMAC with SHA-384. */
  readonly HS384: HmacAlgorithmSpec;
  /** HMAC with SHA-512. */
  readonly HS512: HmacAlgorithmSpec;
  /** RSASSA-PKCS1-v1_5 with SHA-256. */
  readonly RS256: RsaAlgorithmSpec;
  /** RSASSA-PKCS1-v1_5 with SHA-384. */
  readonly RS384: RsaAlgorithmSpec;
  /** RSASSA-PKCS1-v1_5 with SHA-512. */
  readonly RS512: RsaAlgorithmSpec;
  /** RSASSA-PSS with SHA-256, MGF1 SHA-256, 32-byte salt. */
  readonly PS256: PssAlgorithmSpec;
  /** RSASSA-PSS with SHA-384, MGF1 SHA-384, 48-byte salt. */
  readonly PS384: PssAlgorithmSpec;
  /** RSASSA-PSS with SHA-512, MGF1 SHA-512, 64-byte salt. */
  readonly PS512: PssAlgorithmSpec;
  /** ECDSA on P-256 with SHA-256. */
  readonly ES256: EcAlgorithmSpec;
  /** ECDSA on P-384 with SHA-384. */
  readonly ES384: EcAlgorithmSpec;
  /** ECDSA on P-521 with SHA-512. */
  readonly ES512: EcAlgorithmSpec;
  /** EdDSA on Ed25519. */
  readonly EdDSA: EdDsaAlgorithmSpec;
}

/** A JWS algorithm name this package supports; see {@link ALGORITHMS}. */
export type JwsAlgorithm = keyof AlgorithmTable;

/**
 * Every JWS algorithm this package signs and verifies, in one `as const` table (RFC 7518 section 3,
 * RFC 8037): hash, key type, curve, JOSE signature length, minimum HMAC secret, RSA-PSS salt length.
 */
export const ALGORITHMS: AlgorithmTable = {
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
} as const satisfies AlgorithmTable;

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
