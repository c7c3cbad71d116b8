import type { KeyRecord, KeyState } from './key-record.ts';
import type { KeyRingSettings } from './key-ring-options.ts';
import type { LoadedKey } from './key-ring-snapshot.ts';
import { nextInChain, slotOf } from './key-schedule.ts';

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
 * Plans a refresh's writes from what the store holds:
 * - no active key of the ring's algorithm: the current slot's next record, activated at once;
 * - no live key for the next slot: its next record, published `prePublication` before the slot;
 * - keys past `deactivateAt` (or revoked) lose their private key; retired records are deleted.
 * A chain whose head this instance cannot read is never extended (see {@link nextInChain}).
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
  const { algorithm, rotationPeriod } = settings;
  const readable = new Set(loaded.map((k) => k.id));
  const slot = slotOf(now, rotationPeriod);
  const mine = loaded.filter((k) => k.record.alg === algorithm);
  const signing = mine.some((k) => k.privateKey && stateOf(k.record) === 'active');
  const nextCovered = mine.some(
    (k) => slotOf(k.record.activateAt, rotationPeriod) === slot + 1 && stateOf(k.record) !== 'revoked',
  );
  const plan: MaintenancePlan = { create: [], strip: [], remove: [] };
  for (const [target, needed] of [
    [slot, !signing],
    [slot + 1, !nextCovered],
  ] as const) {
    const id = needed ? nextInChain(ids, readable, algorithm, target) : undefined;
    if (id) plan.create.push({ id, slot: target });
  }
  for (const key of loaded) {
    const state = stateOf(key.record);
    if (state === 'retired' || (state === 'revoked' && now >= key.record.retireAt)) plan.remove.push(key.id);
    else if (key.record.privateKey && (state === 'retiring' || state === 'revoked')) plan.strip.push(key);
  }
  return plan;
}
