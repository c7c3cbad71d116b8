import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import type { Kek } from './key-encryption-key.ts';
import {
  canonicalJson,
  RECORD_DATES,
  type EncryptedPrivateKey,
  type KeyRecord,
  type KeyRecordFields,
} from './key-record.ts';
import { jwkThumbprint } from './jwk-thumbprint.ts';
import { describeKeyPair, isAsymmetricAlgorithm, publicMembers } from './signing-key-pair.ts';

/** Why a stored record was refused; reported through the ring's `integrity` event, never thrown. */
export type IntegrityReason =
  | 'malformed' // not JSON or not the record shape
  | 'unknown-kek' // kekId names no configured KEK (a wrong or missing secret, or a planted record)
  | 'bad-mac' // the MAC does not match: edited, moved or planted
  | 'bad-kid' // kid is not the thumbprint of publicJwk
  | 'bad-dates' // dates out of order
  | 'bad-private-key' // ciphertext does not decrypt, or decrypts to a key that is not publicJwk's pair
  | 'unbound'; // a version 1 record (bound to no namespace) while the ring refuses legacy records

/** A record that passed every check, with its decrypted private key when it still has one. @internal */
export interface OpenedRecord {
  record: KeyRecord;
  privateKey?: KeyObject;
}

/** Result of {@link openRecord}. @internal */
export type OpenResult = { ok: true; opened: OpenedRecord } | { ok: false; reason: IntegrityReason };

/**
 * Which ring a record belongs to. Version 2 records (every record written since namespaces were bound)
 * carry the store's namespace in their MAC and GCM associated data, so a record copied to another ring
 * that shares the KEK does not open there. Version 1 records bind no namespace; they still open (unless
 * the ring refuses legacy records) and are re-sealed as version 1 by the ring's own writes, so instances
 * of an older version keep reading them during a rolling upgrade; `rewrap` upgrades them.
 * @internal
 */
export interface RecordBinding {
  /** The ring's namespace (the store's). */
  namespace: string;
  /** Seal in the version 1 format (no namespace), to re-seal a version 1 record as it was. */
  legacy?: boolean;
}

/** The binding to re-seal `record` with: its own format version, this ring's namespace. @internal */
export function bindingOf(record: Pick<KeyRecord, 'v'>, namespace: string): RecordBinding {
  return record.v === 1 ? { namespace, legacy: true } : { namespace };
}

/** GCM associated data: the record members that identify the key and its schedule, and its namespace. */
function associatedData(fields: KeyRecordFields, kekId: string, v: 1 | 2, namespace: string): Buffer {
  const { id, kid, alg, createdAt, publishAt, activateAt, deactivateAt, retireAt } = fields;
  const bound = { id, kid, alg, createdAt, publishAt, activateAt, deactivateAt, retireAt, kekId };
  return Buffer.from(canonicalJson(v === 1 ? bound : { ...bound, ns: namespace }));
}

function computeMac(unsigned: Omit<KeyRecord, 'mac'>, kek: Kek, namespace: string): string {
  const input = unsigned.v === 1 ? unsigned : { ...unsigned, ns: namespace };
  return createHmac('sha256', kek.macKey).update(canonicalJson(input)).digest('base64url');
}

/**
 * Builds a stored record: encrypts the private key (when given) under `kek` with the record's identity,
 * dates and (version 2) namespace as associated data, then MACs the whole record and the namespace.
 * @internal
 */
export function sealRecord(
  fields: KeyRecordFields,
  privateKey: KeyObject | undefined,
  kek: Kek,
  binding: RecordBinding,
): KeyRecord {
  const v = binding.legacy === true ? 1 : 2;
  let encrypted: EncryptedPrivateKey | undefined;
  if (privateKey) {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', kek.encryptionKey, iv);
    cipher.setAAD(associatedData(fields, kek.id, v, binding.namespace));
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const ct = Buffer.concat([cipher.update(der), cipher.final()]);
    der.fill(0);
    encrypted = {
      iv: iv.toString('base64url'),
      ct: ct.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
    };
  }
  const unsigned: Omit<KeyRecord, 'mac'> = {
    v,
    ...fields,
    kekId: kek.id,
    ...(encrypted && { privateKey: encrypted }),
  };
  return { ...unsigned, mac: computeMac(unsigned, kek, binding.namespace) };
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function isString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

const RECORD_MEMBERS = new Set([
  'v',
  'id',
  'kid',
  'alg',
  'publicJwk',
  ...RECORD_DATES,
  'revokedAt',
  'kekId',
  'privateKey',
  'mac',
]);

/** Checks the JSON shape of a record (no extra members, every type exact). */
function hasRecordShape(value: unknown): value is KeyRecord {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const r = value as Record<string, unknown>;
  if (Object.keys(r).some((k) => !RECORD_MEMBERS.has(k))) return false;
  if (
    (r.v !== 1 && r.v !== 2) ||
    !isString(r.id) ||
    !isString(r.kid) ||
    !isString(r.kekId) ||
    !isString(r.mac)
  )
    return false;
  if (!isAsymmetricAlgorithm(r.alg)) return false;
  if (!RECORD_DATES.every((d) => isNumber(r[d]))) return false;
  if (r.revokedAt !== undefined && !isNumber(r.revokedAt)) return false;
  if (!r.publicJwk || typeof r.publicJwk !== 'object') return false;
  if (r.privateKey !== undefined) {
    const p = r.privateKey as Record<string, unknown> | null;
    if (
      !p ||
      typeof p !== 'object' ||
      Object.keys(p).length !== 3 ||
      !isString(p.iv) ||
      !isString(p.ct) ||
      !isString(p.tag)
    ) {
      return false;
    }
  }
  return true;
}

/**
 * Parses and authenticates a stored value: shape, MAC (constant-time), kid = thumbprint, date order,
 * then decrypts the private key and checks that it is the pair of `publicJwk`.
 * @param value - The raw store value.
 * @param keks - Every configured KEK by id.
 * @param binding - The ring's namespace (a version 2 record sealed for another does not open), and
 * whether version 1 records, which bind no namespace, are opened.
 * @internal
 */
export function openRecord(
  value: string,
  keks: ReadonlyMap<string, Kek>,
  binding: { namespace: string; legacy: 'accept' | 'refuse' },
): OpenResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!hasRecordShape(parsed)) return { ok: false, reason: 'malformed' };
  const record = parsed;
  if (record.v === 1 && binding.legacy === 'refuse') return { ok: false, reason: 'unbound' };
  const kek = keks.get(record.kekId);
  if (!kek) return { ok: false, reason: 'unknown-kek' };
  const { mac, ...unsigned } = record;
  const expected = Buffer.from(computeMac(unsigned, kek, binding.namespace), 'base64url');
  const actual = Buffer.from(mac, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    return { ok: false, reason: 'bad-mac' };
  // Past the MAC, the record was written by a holder of the secret; the checks below catch our own bugs
  // and a store that mixes records from a deployment that shares the secret.
  const publicJwk = publicMembers(record.publicJwk as Record<string, unknown>, record.alg);
  if (!publicJwk || Object.keys(record.publicJwk).length !== Object.keys(publicJwk).length)
    return { ok: false, reason: 'malformed' };
  // Imported keys may keep the kid they had (tokens signed before the migration carry it); every other
  // key's kid is its RFC 7638 thumbprint.
  const thumbprint = jwkThumbprint(publicJwk);
  if (record.id.startsWith('import:') ? record.id !== `import:${thumbprint}` : record.kid !== thumbprint) {
    return { ok: false, reason: 'bad-kid' };
  }
  const dates = RECORD_DATES.map((d) => record[d]);
  if (dates.slice(1).some((d, i) => d < dates[i]!)) return { ok: false, reason: 'bad-dates' };
  if (!record.privateKey) return { ok: true, opened: { record } };
  try {
    const { iv, ct, tag } = record.privateKey;
    const decipher = createDecipheriv('aes-256-gcm', kek.encryptionKey, Buffer.from(iv, 'base64url'));
    decipher.setAAD(associatedData(record, kek.id, record.v, binding.namespace));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const der = Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]);
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    der.fill(0);
    if (describeKeyPair(privateKey, record.alg)?.kid !== thumbprint)
      return { ok: false, reason: 'bad-private-key' };
    return { ok: true, opened: { record, privateKey } };
  } catch {
    return { ok: false, reason: 'bad-private-key' };
  }
}
