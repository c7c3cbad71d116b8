import { configError } from '@org/core/internal';
import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { secretWeakness } from '../key-material/secret-weakness.ts';

/**
 * A key-encryption secret as configured: the ring derives an AES-256-GCM key-encryption key (KEK) and a
 * separate HMAC-SHA-256 record MAC key from it with HKDF.
 */
export interface KekSpec {
  /**
   * Stored on every record so the KEK can be rotated and records re-wrapped.
   * @defaultValue `k-` + 8 base64url characters derived from the secret (HKDF, info `org-auth key-ring kek-id`)
   */
  id?: string;
  /**
   * At least 32 bytes of secret material (a string is taken as UTF-8), not a well-known example nor one
   * repeated character. Never logged.
   */
  secret: string | Uint8Array;
}

/** A derived KEK: never serialised, never logged. @internal */
export interface Kek {
  readonly id: string;
  readonly encryptionKey: KeyObject;
  readonly macKey: KeyObject;
}

/**
 * HKDF (RFC 5869) parameters, fixed so that every instance derives the same keys from the same secret.
 * Changing any of them is a breaking change for every stored record.
 */
export const KEK_DERIVATION = {
  hash: 'sha256',
  salt: 'org-auth/strategy-jwt/key-ring/v1',
  encryptionInfo: 'org-auth key-ring aes-256-gcm kek',
  macInfo: 'org-auth key-ring hmac-sha256 record mac',
  idInfo: 'org-auth key-ring kek-id',
} as const;

const MIN_SECRET_BYTES = 32;
const KEK_ID = /^[A-Za-z0-9._-]{1,64}$/;

function derive(secret: Uint8Array, info: string, length: number): Buffer {
  return Buffer.from(hkdfSync(KEK_DERIVATION.hash, secret, KEK_DERIVATION.salt, info, length));
}

/**
 * Derives a {@link Kek} from its configuration.
 * @param spec - The configured secret and optional id.
 * @param setting - The configuration path named in errors.
 * @throws BadRequest (`invalid-configuration`) when the secret is shorter than 32 bytes, a well-known example
 * or one repeated character, or the id is malformed.
 * @internal
 */
export function deriveKek(spec: KekSpec, setting: string): Kek {
  if (!spec || typeof spec !== 'object') throw configError(`'${setting}' must be an object { id?, secret }`);
  const secret = typeof spec.secret === 'string' ? Buffer.from(spec.secret, 'utf8') : spec.secret;
  if (!(secret instanceof Uint8Array)) throw configError(`'${setting}.secret' must be a string or bytes`);
  if (secret.length < MIN_SECRET_BYTES) {
    throw configError(
      `'${setting}.secret' is ${secret.length} bytes; at least ${MIN_SECRET_BYTES} are required`,
    );
  }
  const weakness = secretWeakness(secret);
  if (weakness !== undefined) throw configError(`'${setting}.secret' ${weakness}`);
  const id = spec.id ?? `k-${derive(secret, KEK_DERIVATION.idInfo, 6).toString('base64url')}`;
  if (typeof id !== 'string' || !KEK_ID.test(id)) {
    throw configError(`'${setting}.id' must be 1-64 characters of A-Z a-z 0-9 . _ -`);
  }
  return {
    id,
    encryptionKey: createSecretKey(derive(secret, KEK_DERIVATION.encryptionInfo, 32)),
    macKey: createSecretKey(derive(secret, KEK_DERIVATION.macInfo, 32)),
  };
}

/**
 * Derives every configured KEK; the first one encrypts new records, the others only read old ones.
 * @throws BadRequest (`invalid-configuration`) when none is given or two share an id.
 * @internal
 */
export function deriveKeks(specs: KekSpec | readonly KekSpec[] | undefined, setting: string): Kek[] {
  if (specs === undefined) {
    throw configError(
      `'${setting}' is required: a secret of at least 32 bytes that encrypts private keys at rest`,
    );
  }
  const list = Array.isArray(specs) ? specs : [specs as KekSpec];
  if (list.length === 0) throw configError(`'${setting}' must hold at least one { secret }`);
  const keks = list.map((spec, i) => deriveKek(spec, Array.isArray(specs) ? `${setting}[${i}]` : setting));
  const ids = new Set<string>();
  for (const kek of keks) {
    if (ids.has(kek.id)) throw configError(`'${setting}' lists KEK id '${kek.id}' twice`);
    ids.add(kek.id);
  }
  return keks;
}
