import type { AsymmetricAlgorithm } from './signing-key-pair.ts';
import type { KeyRecordFields } from './key-record.ts';
import type { KeyRingSettings } from './key-ring-options.ts';

/** A parsed slot record id: `slot:<alg>:<n>` (generation 0) or `slot:<alg>:<n>.<g>` (a replacement). */
export interface SlotId {
  alg: string;
  slot: number;
  generation: number;
}

const SLOT_ID = /^slot:([A-Za-z0-9]+):(\d{1,15})(?:\.(\d{1,6}))?$/;

/** @internal */
export function slotOf(now: number, period: number): number {
  return Math.floor(now / period);
}

/** @internal */
export function slotId(alg: string, slot: number, generation: number): string {
  return generation === 0 ? `slot:${alg}:${slot}` : `slot:${alg}:${slot}.${generation}`;
}

/** @internal */
export function parseSlotId(id: string): SlotId | undefined {
  const match = SLOT_ID.exec(id);
  if (!match) return undefined;
  return {
    alg: match[1]!,
    slot: Number(match[2]),
    generation: match[3] === undefined ? 0 : Number(match[3]),
  };
}

/**
 * The dates of a key for `slot`, written into its record so every instance reads the same schedule.
 * - Created ahead of its slot: published `prePublication + clockTolerance` before the slot starts, so an
 *   instance whose clock runs up to `clockTolerance` ahead signs with it only after every instance has
 *   published it for `prePublication` (at least `cacheLifetime`).
 * - Created late (first boot, replacement of a revoked or unreadable key): signs at once, dated
 *   `clockTolerance` back, so an instance whose clock is up to that much behind publishes and signs with it
 *   too instead of finding no active key and creating its own. `createdAt` goes back with `publishAt`
 *   (records keep `createdAt <= publishAt`); `activateAt` never leaves the slot.
 * @internal
 */
export function slotDates(
  slot: number,
  now: number,
  settings: KeyRingSettings,
): Pick<KeyRecordFields, 'createdAt' | 'publishAt' | 'activateAt' | 'deactivateAt' | 'retireAt'> {
  const { rotationPeriod, prePublication, clockTolerance, retention } = settings;
  const start = slot * rotationPeriod;
  const deactivateAt = start + rotationPeriod;
  const retireAt = deactivateAt + retention;
  if (now < start) {
    const publishAt = Math.max(now, start - prePublication - clockTolerance);
    return { createdAt: now, publishAt, activateAt: start, deactivateAt, retireAt };
  }
  const backdated = now - clockTolerance;
  return {
    createdAt: backdated,
    publishAt: backdated,
    activateAt: Math.max(start, backdated),
    deactivateAt,
    retireAt,
  };
}

/**
 * When a destructive write for a date may happen: `clockTolerance` after it, so that every instance whose
 * clock is up to that much behind has seen the date pass too. The private key of a key that stopped signing
 * is deleted at `deactivateAt + clockTolerance` (an instance behind still signs with it until then), a
 * retired record at `retireAt + clockTolerance` (an instance behind still publishes it until then).
 * @internal
 */
export function settledAfter(
  date: number,
  now: number,
  settings: Pick<KeyRingSettings, 'clockTolerance'>,
): boolean {
  return now >= date + settings.clockTolerance;
}

/**
 * The id the next record of a slot's chain gets: generation 0 when the chain is empty, else one past the
 * highest generation present, readable or not. A head this instance cannot open (it failed its checks, or a
 * KEK this instance lacks sealed it) is treated as compromised and superseded, so one unreadable record
 * cannot stop issuance; the ring only extends a chain when no readable key of the slot can sign (see
 * `planMaintenance`), so instances that read different subsets of the chain settle after one extension.
 * @param ids - Every id in the store, readable or not.
 * @internal
 */
export function nextInChain(ids: Iterable<string>, alg: AsymmetricAlgorithm, slot: number): string {
  let head = -1;
  for (const id of ids) {
    const parsed = parseSlotId(id);
    if (parsed?.alg === alg && parsed.slot === slot) head = Math.max(head, parsed.generation);
  }
  return slotId(alg, slot, head + 1);
}
