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
 * The dates of a key for `slot`. A key created ahead of its slot is published `prePublication` before
 * the slot starts; a key created late (first boot, replacement of a revoked key) is published and
 * activated at once, since nothing can have cached a key set that never held it.
 * @internal
 */
export function slotDates(
  slot: number,
  now: number,
  settings: KeyRingSettings,
): Pick<KeyRecordFields, 'createdAt' | 'publishAt' | 'activateAt' | 'deactivateAt' | 'retireAt'> {
  const start = slot * settings.rotationPeriod;
  const deactivateAt = start + settings.rotationPeriod;
  const activateAt = Math.max(start, now);
  return {
    createdAt: now,
    publishAt: Math.min(activateAt, Math.max(now, start - settings.prePublication)),
    activateAt,
    deactivateAt,
    retireAt: deactivateAt + settings.retention,
  };
}

/**
 * The id the next record of a slot's chain gets: generation 0 when the chain is empty, else one past the
 * highest generation present. `undefined` when the head exists but could not be read (integrity failure
 * or a KEK this instance lacks): extending a chain the others may see differently is never safe.
 * @param ids - Every id in the store, readable or not.
 * @param readable - The ids this instance opened.
 * @internal
 */
export function nextInChain(
  ids: Iterable<string>,
  readable: ReadonlySet<string>,
  alg: AsymmetricAlgorithm,
  slot: number,
): string | undefined {
  let head: { id: string; generation: number } | undefined;
  for (const id of ids) {
    const parsed = parseSlotId(id);
    if (parsed?.alg !== alg || parsed.slot !== slot) continue;
    if (!head || parsed.generation > head.generation) head = { id, generation: parsed.generation };
  }
  if (!head) return slotId(alg, slot, 0);
  if (!readable.has(head.id)) return undefined;
  return slotId(alg, slot, head.generation + 1);
}
