import { Conflict, NotFound } from '@org/core';
import type { Kek } from './key-encryption-key.ts';
import type { KeyRecord, KeyState } from './key-record.ts';
import type { KeyRingSettings } from './key-ring-options.ts';
import { recordFields, type LoadedKey } from './key-ring-snapshot.ts';
import { nextInChain, slotDates, slotOf } from './key-schedule.ts';
import type { KeyStore, KeyStoreEntry } from './stores/key-store.ts';
import { bindingOf, sealRecord, type OpenResult } from './record-seal.ts';
import type { ImportedKey, KeyImportResult } from './imported-key.ts';
import { generateSigningKeyPair } from './signing-key-pair.ts';

/** What the administrative operations need from a ring; the ring hands out a closure over its state. @internal */
export interface RingInternals {
  readonly store: KeyStore;
  readonly settings: KeyRingSettings;
  readonly writeKek: Kek;
  /** The store's namespace, which new and re-sealed records are bound to. */
  readonly namespace: string;
  now(): number;
  open(value: string): OpenResult;
  loaded(): readonly LoadedKey[];
  stateOf(record: KeyRecord, now: number): KeyState;
  /** Records that `kid` is revoked (as of `revokedAt`) for the life of this instance. */
  markRevoked(kid: string, revokedAt: number): void;
  refresh(): Promise<void>;
}

/** Compare-and-set attempts per record before a revocation is reported as not stored. */
const REVOKE_ATTEMPTS = 8;

/**
 * See `KeyRing#revoke`. Invariant 5: the revocation is stored or the call fails. Each record holding the
 * kid is re-sealed with `revokedAt` by compare-and-set; when another writer changed it between the read
 * and the write (a rotation shortening it, a rewrap, the strip of a retiring key), the record is read
 * again and the revocation applied to what it holds now, until it shows `revokedAt` or is gone.
 * @internal
 */
export async function revokeKey(ring: RingInternals, kid: string): Promise<void> {
  const now = ring.now();
  const targets = (await ring.store.list()).filter((entry) => {
    const result = ring.open(entry.value);
    return result.ok && result.opened.record.kid === kid && result.opened.record.id === entry.id;
  });
  if (targets.length === 0) throw new NotFound('Unknown key', { reason: 'not-found' });
  let revokedAt = now;
  for (const target of targets) revokedAt = Math.min(revokedAt, await revokeRecord(ring, target, kid, now));
  ring.markRevoked(kid, revokedAt);
  await ring.refresh();
}

/** Stores `revokedAt` on one record; resolves the revocation time the store shows. */
async function revokeRecord(
  ring: RingInternals,
  entry: KeyStoreEntry,
  kid: string,
  now: number,
): Promise<number> {
  let value: string | undefined = entry.value;
  for (let attempt = 0; attempt < REVOKE_ATTEMPTS; attempt++) {
    if (value === undefined) return now; // deleted meanwhile: nothing left to publish or sign with
    const result = ring.open(value);
    if (!result.ok) {
      throw new Conflict(
        `Key revocation not stored: record ${entry.id} was rewritten in a form this instance cannot open (${result.reason})`,
        { reason: 'conflict' },
      );
    }
    const { record } = result.opened;
    if (record.kid !== kid || record.id !== entry.id) return now; // the slot now holds another key
    if (record.revokedAt !== undefined) return record.revokedAt;
    const sealed = sealRecord(
      { ...recordFields(record), revokedAt: now },
      undefined,
      ring.writeKek,
      bindingOf(record, ring.namespace),
    );
    if (await ring.store.update(entry.id, JSON.stringify(sealed), value)) return now;
    value = await ring.store.get(entry.id); // another writer won: apply the revocation to what it wrote
  }
  throw new Conflict(
    `Key revocation not stored: record ${entry.id} changed ${REVOKE_ATTEMPTS} times while it was being revoked`,
    { reason: 'conflict' },
  );
}

/** See `KeyRing#rotate`. @internal */
export async function rotateKey(ring: RingInternals, immediate: boolean): Promise<string | undefined> {
  await ring.refresh();
  const now = ring.now();
  const { algorithm, rotationPeriod, prePublication, clockTolerance, retention } = ring.settings;
  const slot = slotOf(now, rotationPeriod);
  // The dates of a key of this slot created late (signing at once, dated clockTolerance back), or published
  // now and signing after prePublication + clockTolerance, as a scheduled key would.
  const dates = slotDates(slot, now, ring.settings);
  const activateAt = immediate ? dates.activateAt : now + prePublication + clockTolerance;
  if (activateAt >= dates.deactivateAt) return undefined;
  const ids = (await ring.store.list()).map((e) => e.id);
  const id = nextInChain(ids, algorithm, slot);
  const pair = await generateSigningKeyPair(algorithm, ring.settings.rsaModulusLength);
  const fields = {
    ...dates,
    id,
    kid: pair.kid,
    alg: algorithm,
    publicJwk: pair.publicJwk,
    ...(!immediate && { createdAt: now, publishAt: now }),
    activateAt,
  };
  if (
    !(await ring.store.createIfAbsent(
      id,
      JSON.stringify(sealRecord(fields, pair.privateKey, ring.writeKek, { namespace: ring.namespace })),
    ))
  ) {
    await ring.refresh(); // another instance rotated first: adopt its key
    return undefined;
  }
  for (const key of ring.loaded()) {
    const r = key.record;
    if (r.alg !== algorithm || ring.stateOf(r, now) !== 'active' || r.deactivateAt <= activateAt) continue;
    const deactivateAt = Math.max(r.activateAt, activateAt);
    const shortened = { ...recordFields(r), deactivateAt, retireAt: deactivateAt + retention };
    await ring.store.update(
      key.id,
      // A private key this instance only holds in memory (the record was stripped) is not written back.
      JSON.stringify(
        sealRecord(shortened, r.privateKey && key.privateKey, ring.writeKek, bindingOf(r, ring.namespace)),
      ),
      key.value,
    );
  }
  await ring.refresh();
  return pair.kid;
}

/** See `KeyRing#addVerificationKeys`. @internal */
export async function storeVerificationKeys(
  ring: RingInternals,
  keys: readonly ImportedKey[],
  retainFor: number,
): Promise<KeyImportResult> {
  await ring.refresh();
  // A kid names one key: an imported key whose kid another key of the ring already has would shadow it
  // (tokens of one verified with the other's key, or refused), so it is refused before anything is stored.
  // Which key holds each kid, by id and RFC 7638 thumbprint (an imported key's is in its record id).
  const kidHolders = new Map(
    ring
      .loaded()
      .map((k) => [
        k.record.kid,
        { id: k.id, thumbprint: k.id.startsWith('import:') ? k.id.slice('import:'.length) : k.record.kid },
      ]),
  );
  const fresh: ImportedKey[] = [];
  const result: KeyImportResult = { imported: [], existing: [] };
  for (const key of keys) {
    const holder = kidHolders.get(key.kid);
    if (holder !== undefined && holder.thumbprint !== key.thumbprint) {
      throw new Conflict(
        `Key import: kid '${key.kid}' already names key ${holder.id} of the ring; an imported key cannot take it over`,
        { reason: 'conflict' },
      );
    }
    if (holder !== undefined)
      result.existing.push(key.kid); // the same key
    else {
      fresh.push(key);
      kidHolders.set(key.kid, { id: `import:${key.thumbprint}`, thumbprint: key.thumbprint });
    }
  }
  const now = ring.now();
  for (const key of fresh) {
    const id = `import:${key.thumbprint}`;
    const dates = {
      createdAt: now,
      publishAt: now,
      activateAt: now,
      deactivateAt: now,
      retireAt: now + retainFor,
    };
    const fields = { id, kid: key.kid, alg: key.alg, publicJwk: key.publicJwk, ...dates };
    const created = await ring.store.createIfAbsent(
      id,
      JSON.stringify(sealRecord(fields, undefined, ring.writeKek, { namespace: ring.namespace })),
    );
    (created ? result.imported : result.existing).push(key.kid);
  }
  await ring.refresh();
  return result;
}
