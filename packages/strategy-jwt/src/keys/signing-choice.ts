import type { KeyObject } from 'node:crypto';
import type { KeyRecord, KeyState } from './key-record.ts';
import type { KeyRingSettings } from './key-ring-options.ts';
import { parseSlotId } from './key-schedule.ts';

/** What the choice reads of a loaded key. @internal */
export interface CandidateKey {
  id: string;
  record: KeyRecord;
  privateKey?: KeyObject;
}

/**
 * Whether `a` signs in preference to `b` when both are active: the later generation of the slot's chain
 * first (a replacement supersedes the key it replaces, which some instances may not be able to read), then
 * the earlier activation, then the smaller kid, so every instance that reads both picks the same key.
 * @internal
 */
export function signsBefore(a: CandidateKey, b: CandidateKey): boolean {
  const ga = parseSlotId(a.id)?.generation ?? -1;
  const gb = parseSlotId(b.id)?.generation ?? -1;
  if (ga !== gb) return ga > gb;
  if (a.record.activateAt !== b.record.activateAt) return a.record.activateAt < b.record.activateAt;
  return a.record.kid < b.record.kid;
}

/**
 * True for a slot key that is active on this clock but whose stored record lost its private key: only an
 * instance whose clock passed `deactivateAt + clockTolerance` strips a key that was not revoked, so its
 * writer's clock is ahead of this one by more than the tolerance. (The ring keeps signing with the private
 * key it already holds until its own clock ends the key.)
 * @internal
 */
export function strippedWhileActive(key: CandidateKey, state: KeyState): boolean {
  return state === 'active' && key.record.privateKey === undefined && parseSlotId(key.id) !== undefined;
}

/**
 * The key to sign with when none of the ring's algorithm is active on this clock, or `undefined`: a
 * published key that activates within `clockTolerance`, since an instance whose clock is that much ahead
 * already signs with it (the first key after a boot near a slot start, a replacement). The earliest wins.
 * @internal
 */
export function fallbackSigner<K extends CandidateKey>(
  loaded: readonly K[],
  now: number,
  stateOf: (record: KeyRecord) => KeyState,
  settings: Pick<KeyRingSettings, 'algorithm' | 'clockTolerance'>,
): K | undefined {
  let chosen: K | undefined;
  for (const key of loaded) {
    const r = key.record;
    if (!key.privateKey || r.alg !== settings.algorithm || stateOf(r) !== 'pending') continue;
    if (r.activateAt - now > settings.clockTolerance) continue;
    if (!chosen || r.activateAt < chosen.record.activateAt) chosen = key;
  }
  return chosen;
}
