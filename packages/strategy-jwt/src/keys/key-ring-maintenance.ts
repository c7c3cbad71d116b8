import type { Kek } from './key-encryption-key.ts';
import type { KeyRecord, KeyState } from './key-record.ts';
import type { KeyRingSettings } from './key-ring-options.ts';
import { recordFields, type LoadedKey } from './key-ring-snapshot.ts';
import { nextInChain, settledAfter, slotDates, slotOf } from './key-schedule.ts';
import { bindingOf, sealRecord } from './record-seal.ts';
import { generateSigningKeyPair } from './signing-key-pair.ts';
import { strippedWhileActive } from './signing-choice.ts';
import type { KeyStore } from './stores/key-store.ts';

/** The store writes one refresh needs. @internal */
export interface MaintenancePlan {
  /** Records to create (id and the slot whose dates they get), current slot first. */
  create: Array<{ id: string; slot: number }>;
  /** Keys that will never sign again but still hold a private key: re-seal without it. */
  strip: LoadedKey[];
  /** Ids of retired (or revoked and past retirement) records to delete. */
  remove: string[];
}

/**
 * Plans a refresh's writes from what the store holds, for a clock that may differ from the other
 * instances' by up to `clockTolerance`:
 * - no readable, non-revoked key of the ring's algorithm signs now on any clock within the tolerance (none
 *   active with its private key, none activating within `clockTolerance`, none stripped by an instance
 *   whose clock is ahead): the current slot's next record, activated at once;
 * - no live key for the next slot: its next record, published ahead of the slot;
 * - a key past `deactivateAt + clockTolerance` (or revoked) loses its private key, a record past
 *   `retireAt + clockTolerance` is deleted: an instance whose clock is behind still signs with, or
 *   publishes, the key until then.
 * A chain whose head this instance cannot read is extended past it (see {@link nextInChain}).
 * @param ids - Every id in the store, readable or not.
 * @internal
 */
export function planMaintenance(
  loaded: readonly LoadedKey[],
  ids: readonly string[],
  now: number,
  settings: KeyRingSettings,
  stateOf: (record: KeyRecord) => KeyState,
): MaintenancePlan {
  const { algorithm, rotationPeriod, clockTolerance } = settings;
  const slot = slotOf(now, rotationPeriod);
  const live = loaded.filter((k) => k.record.alg === algorithm && stateOf(k.record) !== 'revoked');
  const covered = live.some((k) => {
    const r = k.record;
    if (strippedWhileActive(k, stateOf(r))) return true;
    return !!k.privateKey && r.deactivateAt > now && r.activateAt - now <= clockTolerance;
  });
  const nextCovered = live.some((k) => slotOf(k.record.activateAt, rotationPeriod) === slot + 1);
  const plan: MaintenancePlan = { create: [], strip: [], remove: [] };
  if (!covered) plan.create.push({ id: nextInChain(ids, algorithm, slot), slot });
  if (!nextCovered) plan.create.push({ id: nextInChain(ids, algorithm, slot + 1), slot: slot + 1 });
  for (const key of loaded) {
    const r = key.record;
    const state = stateOf(r);
    const ended = state === 'retiring' || state === 'retired';
    if ((state === 'retired' || state === 'revoked') && settledAfter(r.retireAt, now, settings))
      plan.remove.push(key.id);
    else if (r.privateKey && (state === 'revoked' || (ended && settledAfter(r.deactivateAt, now, settings))))
      plan.strip.push(key);
  }
  return plan;
}

/** What the writes of a plan need from the ring. @internal */
export interface MaintenanceContext {
  store: KeyStore;
  settings: KeyRingSettings;
  /** The KEK new records are sealed under. */
  writeKek: Kek;
  /** The configured KEK of a loaded record's `kekId` (a stripped record keeps its KEK). */
  kekOf(id: string): Kek;
  /** When this instance saw `kid` revoked, if it did. */
  revokedAt(kid: string): number | undefined;
  /** The store's namespace, which new and re-sealed records are bound to. */
  namespace: string;
}

/**
 * Writes a plan: creates records (atomic create-if-absent; a lost race is fine, the winner's record is read
 * back), deletes retired ones, strips private keys by compare-and-set.
 * @returns Whether anything was written.
 * @internal
 */
export async function applyMaintenance(
  ctx: MaintenanceContext,
  plan: MaintenancePlan,
  now: number,
): Promise<boolean> {
  const { store, settings } = ctx;
  for (const { id, slot } of plan.create) {
    const pair = await generateSigningKeyPair(settings.algorithm, settings.rsaModulusLength);
    const fields = {
      ...slotDates(slot, now, settings),
      id,
      kid: pair.kid,
      alg: settings.algorithm,
      publicJwk: pair.publicJwk,
    };
    const sealed = sealRecord(fields, pair.privateKey, ctx.writeKek, { namespace: ctx.namespace });
    await store.createIfAbsent(id, JSON.stringify(sealed));
  }
  for (const id of plan.remove) await store.delete(id);
  for (const key of plan.strip) {
    // A key that will never sign again keeps no private key at rest. Invariant 5: a revocation this
    // instance knows of is written back, never erased, when the store's copy does not show it (a
    // lost write, or a record put back from before the revocation).
    const fields = recordFields(key.record);
    const revokedAt = ctx.revokedAt(key.record.kid);
    if (fields.revokedAt === undefined && revokedAt !== undefined) fields.revokedAt = revokedAt;
    const kek = ctx.kekOf(key.record.kekId);
    const stripped = sealRecord(fields, undefined, kek, bindingOf(key.record, ctx.namespace));
    await store.update(key.id, JSON.stringify(stripped), key.value);
  }
  return plan.create.length + plan.remove.length + plan.strip.length > 0;
}
