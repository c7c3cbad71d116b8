import type { ClockSkew } from './key-ring-events.ts';
import type { KeyRecord, KeyState } from './key-record.ts';
import { parseSlotId } from './key-schedule.ts';
import { strippedWhileActive, type CandidateKey } from './signing-choice.ts';

/**
 * Reads the clock of whoever wrote each record from its dates, and returns the records whose writer was
 * ahead of `now` by more than `clockTolerance` (the largest evidence per record). Each bound is a lower
 * bound: the record may have been written a while before this instance read it.
 * - `created`/`revoked`: `createdAt` and `revokedAt` are the writer's clock (a key created to sign at once
 *   is dated `clockTolerance` back, so the bound is looser there);
 * - `stripped`: an instance strips a key that was not revoked at `deactivateAt + clockTolerance`;
 * - `activated`: a key created to sign at once has `createdAt = activateAt =` its writer's clock minus
 *   `clockTolerance`.
 * A clock behind the others is seen through the records they write; one ahead, through this instance's
 * own records, by the others.
 * @internal
 */
export function clockSkewEvidence(
  loaded: readonly CandidateKey[],
  now: number,
  stateOf: (record: KeyRecord) => KeyState,
  clockTolerance: number,
): ClockSkew[] {
  const found: ClockSkew[] = [];
  for (const key of loaded) {
    const r = key.record;
    const slotKey = parseSlotId(key.id) !== undefined;
    const bounds: Array<[ClockSkew['evidence'], number]> = [['created', r.createdAt - now]];
    if (r.revokedAt !== undefined) bounds.push(['revoked', r.revokedAt - now]);
    if (strippedWhileActive(key, stateOf(r)) && r.revokedAt === undefined)
      bounds.push(['stripped', r.deactivateAt + clockTolerance - now]);
    if (slotKey && r.createdAt === r.activateAt && r.activateAt > now)
      bounds.push(['activated', r.activateAt + clockTolerance - now]);
    const [evidence, aheadBy] = bounds.reduce((a, b) => (b[1] > a[1] ? b : a));
    if (aheadBy > clockTolerance) found.push({ id: key.id, evidence, aheadBy, clockTolerance });
  }
  return found;
}
