import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { ResolvedVerificationKey, SigningKey } from '../key-material/key-source.ts';
import { isPublished, type KeyRecord, type KeyRecordFields, type KeyState } from './key-record.ts';
import type { AsymmetricAlgorithm } from './signing-key-pair.ts';
import { signsBefore } from './signing-choice.ts';

/** A record this instance read from the store and authenticated. @internal */
export interface LoadedKey {
  id: string;
  /** The raw store value, for compare-and-set. */
  value: string;
  record: KeyRecord;
  publicKey: KeyObject;
  privateKey?: KeyObject;
}

/** Everything the hot path reads, recomputed only when the store or a key's state changes. @internal */
export interface Snapshot {
  /** The next state change; the snapshot is valid until then. */
  validUntil: number | undefined;
  jwks: { keys: JWK[] };
  jwksJson: string;
  byKid: Map<string, ResolvedVerificationKey>;
  signing: SigningKey | undefined;
}

/** The ring-decided members of a record (what a re-seal starts from). @internal */
export function recordFields(r: KeyRecord): KeyRecordFields {
  return {
    id: r.id,
    kid: r.kid,
    alg: r.alg,
    publicJwk: r.publicJwk,
    createdAt: r.createdAt,
    publishAt: r.publishAt,
    activateAt: r.activateAt,
    deactivateAt: r.deactivateAt,
    retireAt: r.retireAt,
    ...(r.revokedAt !== undefined && { revokedAt: r.revokedAt }),
  };
}

/**
 * Computes what is published, what verifies and which key signs at `now`. The signing key is the active
 * key of `algorithm` that {@link signsBefore} the others, so every instance picks the same.
 * The JWKS holds public members plus `kid`, `alg` and `use: 'sig'`, frozen, in activation order.
 * @internal
 */
export function computeSnapshot(
  loaded: readonly LoadedKey[],
  now: number,
  stateOf: (record: KeyRecord) => KeyState,
  algorithm: AsymmetricAlgorithm,
): Snapshot {
  const byKid = new Map<string, ResolvedVerificationKey>();
  const published: LoadedKey[] = [];
  let signing: LoadedKey | undefined;
  let validUntil: number | undefined;
  // A kid names one key. The ring's own keys claim their kids before imported ones, so an imported record
  // carrying a ring key's kid (planted, or imported before that was refused) never shadows it.
  const ordered = [
    ...loaded.filter((k) => !k.id.startsWith('import:')),
    ...loaded.filter((k) => k.id.startsWith('import:')),
  ];
  for (const key of ordered) {
    const r = key.record;
    for (const at of [r.publishAt, r.activateAt, r.deactivateAt, r.retireAt, r.revokedAt]) {
      if (at !== undefined && at > now && (validUntil === undefined || at < validUntil)) validUntil = at;
    }
    const state = stateOf(r);
    if (!isPublished(state) || byKid.has(r.kid)) continue;
    published.push(key);
    byKid.set(r.kid, Object.freeze({ key: key.publicKey, alg: r.alg }));
    if (state !== 'active' || !key.privateKey || r.alg !== algorithm) continue;
    if (!signing || signsBefore(key, signing)) signing = key;
  }
  published.sort(
    (a, b) => a.record.activateAt - b.record.activateAt || (a.record.kid < b.record.kid ? -1 : 1),
  );
  const keys = published.map(
    ({ record: r }) => Object.freeze({ ...r.publicJwk, kid: r.kid, alg: r.alg, use: 'sig' }) as JWK,
  );
  const jwks = Object.freeze({ keys: Object.freeze(keys) }) as { keys: JWK[] };
  return {
    validUntil,
    jwks,
    jwksJson: JSON.stringify(jwks),
    byKid,
    signing:
      signing &&
      Object.freeze({ kid: signing.record.kid, alg: signing.record.alg, key: signing.privateKey! }),
  };
}
