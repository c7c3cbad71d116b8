import { isAuthError } from '@org/core';
import {
  resolveKeyRingSettings,
  type KeyRingOptions,
  type KeyRingSettings,
} from '../keys/key-ring-options.ts';
import { CliError } from './cli-error.ts';

/**
 * The key ring setting each schedule flag sets: every setting `resolveKeyRingSettings` validates (the
 * algorithm is `--alg`), so the CLI writes with the deployment's settings and names its own flags.
 * @internal
 */
export const SCHEDULE_FLAGS = {
  'rotation-period': 'rotationPeriod',
  'pre-publication': 'prePublication',
  'cache-lifetime': 'cacheLifetime',
  'max-token-lifetime': 'maxTokenLifetime',
  'clock-tolerance': 'clockTolerance',
  retention: 'retention',
  'refresh-interval': 'refreshInterval',
  'unknown-kid-cooldown': 'unknownKidCooldown',
  'rsa-modulus-length': 'rsaModulusLength',
} as const satisfies Record<string, Exclude<keyof KeyRingSettings, 'algorithm'>>;

type Setting = (typeof SCHEDULE_FLAGS)[keyof typeof SCHEDULE_FLAGS];

/** The schedule options read from the command line. @internal */
export type ScheduleOptions = Partial<Pick<KeyRingOptions, Setting>>;

/** `parseArgs` options for the schedule flags. @internal */
export const SCHEDULE_OPTIONS = Object.fromEntries(
  Object.keys(SCHEDULE_FLAGS).map((flag) => [flag, { type: 'string' }]),
) as { [F in keyof typeof SCHEDULE_FLAGS]: { type: 'string' } };

const FLAG_OF: Record<string, string> = Object.fromEntries(
  Object.entries(SCHEDULE_FLAGS).map(([flag, setting]) => [setting, flag]),
);

/**
 * Reads the schedule flags and validates them exactly as the ring does (same defaults, same derivations,
 * such as the refresh interval that follows a short pre-publication), naming flags rather than settings.
 * @throws CliError (exit code 2) with the ring's message in terms of flags.
 * @internal
 */
export function scheduleOptions(
  values: Readonly<Record<string, unknown>>,
  algorithm: KeyRingOptions['algorithm'],
): ScheduleOptions {
  const schedule: Record<string, string | number> = {};
  for (const [flag, setting] of Object.entries(SCHEDULE_FLAGS)) {
    const value = values[flag];
    if (typeof value !== 'string') continue;
    schedule[setting] = setting === 'rsaModulusLength' ? Number(value) : value;
  }
  try {
    resolveKeyRingSettings({ kek: { secret: '' }, ...schedule, ...(algorithm && { algorithm }) });
  } catch (error) {
    if (!isAuthError(error)) throw error;
    throw new CliError(
      error.message.replace(/'keyRing\.(\w+)'/g, (_, setting: string) =>
        FLAG_OF[setting] ? `--${FLAG_OF[setting]}` : `'${setting}'`,
      ),
      2,
    );
  }
  return schedule as ScheduleOptions;
}
