import { configError } from '@org/core/internal';

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
  y: 31_557_600,
  year: 31_557_600,
  years: 31_557_600,
};

const DURATION = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i;

/**
 * A duration: a number of seconds, or a string with a unit such as `'1d'`, `'2h'`, `'30m'`, `'60s'`,
 * `'7 days'`.
 */
export type Duration = number | string;

/**
 * Parses a duration to whole seconds (rounded).
 *
 * A string without a unit is refused: jsonwebtoken (and so Feathers) reads `'120'` as 120 milliseconds,
 * a surprise this package does not repeat.
 * @param value - Seconds, or a string with a unit (`s`, `m`, `h`, `d`, `w`, `y` and their long forms).
 * @param setting - The configuration path named in errors.
 * @returns The duration in seconds.
 * @throws BadRequest (`invalid-configuration`) for a negative, non-finite or unreadable value.
 * @example
 * ```ts
 * parseDuration('1d'); // 86400
 * parseDuration(90); // 90
 * ```
 */
export function parseDuration(value: Duration, setting = 'duration'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      throw configError(`'${setting}' must be a non-negative number of seconds`);
    }
    return Math.round(value);
  }
  if (typeof value !== 'string') {
    throw configError(`'${setting}' must be a number of seconds or a string like '1d', '2h', '30m', '60s'`);
  }
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    throw configError(`'${setting}' has no unit; write '${trimmed}s' for seconds (or pass a number)`);
  }
  const match = DURATION.exec(trimmed);
  const unit = match ? UNIT_SECONDS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw configError(
      `'${setting}' is not a duration; use e.g. '1d', '2h', '30m', '60s' or a number of seconds`,
    );
  }
  return Math.round(Number(match[1]) * unit);
}
