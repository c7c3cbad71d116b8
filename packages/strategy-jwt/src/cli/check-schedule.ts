import type { KeyRingSettings } from '../keys/key-ring-options.ts';
import { parseSlotId, slotOf } from '../keys/key-schedule.ts';
import { CliError } from './cli-error.ts';
import type { StoreInspection } from './inspect-store.ts';

const UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
] as const;

/** `2d 5m`-style text for a duration in milliseconds. @internal */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of UNITS) {
    if (rest >= size) parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
  }
  return parts.length === 0 ? '0s' : parts.join(' ');
}

/**
 * Refuses to write with a schedule shorter than the one the store's keys were made with. The CLI
 * creates, shortens and replaces keys with its own settings: a `--retention` shorter than the
 * deployment's would retire a key before the tokens it signed expire (invariant 2), a shorter
 * `--pre-publication` would let a key sign before cached JWKS hold it (invariant 3), and another
 * `--rotation-period` numbers slots differently, so its keys would overlap the deployment's.
 * Every slot record carries the evidence: its `activateAt` lies in its slot, `retireAt - deactivateAt`
 * is the retention it was made with, and `activateAt - publishAt` is at most its pre-publication plus
 * its clock tolerance (keys are published that long ahead of their slot).
 * @throws CliError (exit code 2) naming the flag to pass.
 * @internal
 */
export function assertScheduleMatches(inspection: StoreInspection, settings: KeyRingSettings): void {
  const { algorithm, rotationPeriod, retention, prePublication, clockTolerance } = settings;
  const lead = prePublication + clockTolerance;
  for (const { id, record } of inspection.keys) {
    const slot = parseSlotId(id);
    if (slot?.alg !== algorithm) continue;
    if (slotOf(record.activateAt, rotationPeriod) !== slot.slot) {
      throw new CliError(
        `The store's ${algorithm} keys rotate on another period than ${formatDuration(rotationPeriod)}: ` +
          `pass the deployment's --rotation-period`,
        2,
      );
    }
    if (record.retireAt - record.deactivateAt > retention) {
      throw new CliError(
        `The store keeps ${algorithm} keys published ${formatDuration(record.retireAt - record.deactivateAt)} ` +
          `after they stop signing, longer than this command's ${formatDuration(retention)}: pass the ` +
          `deployment's --retention (or --max-token-lifetime, --clock-tolerance, --cache-lifetime)`,
        2,
      );
    }
    if (record.activateAt - record.publishAt > lead) {
      throw new CliError(
        `The store publishes ${algorithm} keys ${formatDuration(record.activateAt - record.publishAt)} ` +
          `before they sign, longer than this command's ${formatDuration(lead)}: pass the ` +
          `deployment's --pre-publication (and --clock-tolerance)`,
        2,
      );
    }
  }
}
