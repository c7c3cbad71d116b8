import { NotFound, Unavailable } from '@org/core';
import type { Kek } from './key-encryption-key.ts';
import type { KeyRecord, KeyState } from './key-record.ts';
import type { KeyRingSettings } from './key-ring-options.ts';
import { recordFields, type LoadedKey } from './key-ring-snapshot.ts';
import { nextInChain, slotDates, slotOf } from './key-schedule.ts';
import type { KeyStore } from './key-store.ts';
import { sealRecord, type OpenResult } from './record-seal.ts';
import type { ImportedKey, KeyImportResult } from './ring-key-import.ts';
import { generateSigningKeyPair } from './signing-key-pair.ts';

/** What the administrative operations need from a ring; the ring hands out a closure over its state. @internal */
export interface RingInternals {
  readonly store: KeyStore;
  readonly settings: KeyRingSettings;
  readonly writeKek: Kek;
  now(): number;
  open(value: string): OpenResult;
  loaded(): readonly LoadedKey[];
  stateOf(record: KeyRecord, now: number): KeyState;
  markRevoked(kid: string): void;
  refresh(): Promise<void>;
}

/** See `KeyRing#revoke`. @internal */
export async function revokeKey(ring: RingInternals, kid: string): Promise<void> {
  const now = ring.now();
  let found = false;
  for (const entry of await ring.store.list()) {
    const result = ring.open(entry.value);
    if (!result.ok || result.opened.record.kid !== kid) continue;
    found = true;
    const fields = {
      ...recordFields(result.opened.record),
      revokedAt: result.opened.record.revokedAt ?? now,
    };
    await ring.store.update(
      entry.id,
      JSON.stringify(sealRecord(fields, undefined, ring.writeKek)),
      entry.value,
    );
  }
  if (!found) throw new NotFound('Unknown key', { reason: 'not-found' });
  ring.markRevoked(kid);
  await ring.refresh();
}

/** See `KeyRing#rotate`. @internal */
export async function rotateKey(ring: RingInternals, immediate: boolean): Promise<string | undefined> {
  await ring.refresh();
  const now = ring.now();
  const { algorithm, rotationPeriod, prePublication, retention } = ring.settings;
  const slot = slotOf(now, rotationPeriod);
  const activateAt = immediate ? now : now + prePublication;
  const dates = slotDates(slot, now, ring.settings);
  if (activateAt >= dates.deactivateAt) return undefined;
  const ids = (await ring.store.list()).map((e) => e.id);
  const id = nextInChain(ids, new Set(ring.loaded().map((k) => k.id)), algorithm, slot);
  if (!id) throw new Unavailable('Key store holds an unreadable record', { reason: 'store-unavailable' });
  const pair = await generateSigningKeyPair(algorithm, ring.settings.rsaModulusLength);
  const fields = {
    ...dates,
    id,
    kid: pair.kid,
    alg: algorithm,
    publicJwk: pair.publicJwk,
    publishAt: now,
    activateAt,
  };
  if (
    !(await ring.store.createIfAbsent(id, JSON.stringify(sealRecord(fields, pair.privateKey, ring.writeKek))))
  ) {
    await ring.refresh(); // another instance rotated first: adopt its key
    return undefined;
  }
  for (const key of ring.loaded()) {
    const r = key.record;
    if (r.alg !== algorithm || ring.stateOf(r, now) !== 'active' || r.deactivateAt <= activateAt) continue;
    const shortened = { ...recordFields(r), deactivateAt: activateAt, retireAt: activateAt + retention };
    await ring.store.update(
      key.id,
      JSON.stringify(sealRecord(shortened, key.privateKey, ring.writeKek)),
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
  const now = ring.now();
  const result: KeyImportResult = { imported: [], existing: [] };
  for (const key of keys) {
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
      JSON.stringify(sealRecord(fields, undefined, ring.writeKek)),
    );
    (created ? result.imported : result.existing).push(key.kid);
  }
  await ring.refresh();
  return result;
}
