import type { AsymmetricAlgorithm, PublicKeyJwk } from './signing-key-pair.ts';

/**
 * The life-cycle state of a key, always derived from its timestamps and the clock (never stored):
 * - `scheduled`: created, not yet published (`now < publishAt`);
 * - `pending`: published, verifies, does not sign (`publishAt <= now < activateAt`);
 * - `active`: signs (`activateAt <= now < deactivateAt`);
 * - `retiring`: published, verifies, never signs again; its private key is deleted (`deactivateAt <= now < retireAt`);
 * - `retired`: gone from the JWKS, verifies nothing (`retireAt <= now`);
 * - `revoked`: removed at once (`revokedAt <= now`), whatever the other dates say.
 */
export type KeyState = 'scheduled' | 'pending' | 'active' | 'retiring' | 'retired' | 'revoked';

/** The AES-256-GCM ciphertext of a PKCS #8 private key, base64url members. */
export interface EncryptedPrivateKey {
  /** 96-bit random nonce. */
  iv: string;
  /** Ciphertext of the DER PKCS #8 private key. */
  ct: string;
  /** 128-bit GCM authentication tag. */
  tag: string;
}

/**
 * One key as the store holds it (JSON). Dates are epoch milliseconds. The private key is encrypted and
 * bound to this record by GCM associated data; `mac` authenticates every other member.
 */
export interface KeyRecord {
  /** Record format version: 2 binds the record to its ring's namespace; 1 (legacy) binds none. */
  v: 1 | 2;
  /** The store id, e.g. `slot:ES256:676`; bound by the MAC (with the namespace) so a record cannot be moved. */
  id: string;
  /** RFC 7638 thumbprint of `publicJwk`. */
  kid: string;
  /** The one algorithm this key signs and verifies with. */
  alg: AsymmetricAlgorithm;
  /** Public members only. */
  publicJwk: PublicKeyJwk;
  createdAt: number;
  publishAt: number;
  activateAt: number;
  deactivateAt: number;
  retireAt: number;
  revokedAt?: number;
  /** Id of the KEK that encrypted the private key and keys the MAC. */
  kekId: string;
  /** Absent once the key stops signing. */
  privateKey?: EncryptedPrivateKey;
  /** HMAC-SHA-256 (base64url) over the canonical record without `mac`. */
  mac: string;
}

/** What `KeyRing#keys()` reports for each key: its record's members and state, never key material. */
export interface KeyInfo extends Omit<KeyRecord, 'v' | 'publicJwk' | 'privateKey' | 'mac'> {
  /** The state derived from the dates and the clock. */
  state: KeyState;
  /** Whether the store still holds the (encrypted) private key. */
  hasPrivateKey: boolean;
}

/** The members of a {@link KeyRecord} the ring decides; sealing adds `v`, `kekId`, `privateKey` and `mac`. */
export type KeyRecordFields = Omit<KeyRecord, 'v' | 'kekId' | 'privateKey' | 'mac'>;

/** The timestamps of a record, in life-cycle order. */
export const RECORD_DATES = ['createdAt', 'publishAt', 'activateAt', 'deactivateAt', 'retireAt'] as const;

/**
 * The state of a key at `now`; see {@link KeyState}.
 * @param record - The record's dates.
 * @param now - Epoch milliseconds.
 */
export function keyState(
  record: Pick<KeyRecord, 'publishAt' | 'activateAt' | 'deactivateAt' | 'retireAt' | 'revokedAt'>,
  now: number,
): KeyState {
  if (record.revokedAt !== undefined && record.revokedAt <= now) return 'revoked';
  if (now >= record.retireAt) return 'retired';
  if (now >= record.deactivateAt) return 'retiring';
  if (now >= record.activateAt) return 'active';
  if (now >= record.publishAt) return 'pending';
  return 'scheduled';
}

/** True for the states whose key is in the JWKS and verifies tokens. */
export function isPublished(state: KeyState): boolean {
  return state === 'pending' || state === 'active' || state === 'retiring';
}

/**
 * Deterministic JSON: object members sorted by name, no whitespace, `undefined` members dropped.
 * The MAC and the GCM associated data are computed over it, so two instances always agree on the bytes.
 * @internal
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
