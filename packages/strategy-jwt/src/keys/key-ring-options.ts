import { didYouMean, configError } from '@org/core/internal';
import { parseDuration, type Duration } from '../shared/duration.ts';
import type { KekSpec } from './key-encryption-key.ts';
import type { KeyStore } from './stores/key-store.ts';
import type { ClockSkew, IntegrityFailure } from './key-ring-events.ts';
import { isAsymmetricAlgorithm, type AsymmetricAlgorithm } from './signing-key-pair.ts';

/** Options of {@link createKeyRing}. Durations are seconds or strings like `'30d'`, `'24h'`, `'5m'`. */
export interface KeyRingOptions {
  /**
   * The secret(s) private keys are encrypted under. The first encrypts and MACs new records; the others
   * only read records not yet re-wrapped (see `KeyRing#rewrap`). Every instance sharing a store needs it.
   */
  kek: KekSpec | readonly KekSpec[];
  /**
   * Where records live; share one store between every instance of a deployment.
   * @defaultValue an in-memory keyv store (one process only)
   */
  store?: KeyStore;
  /**
   * The algorithm the ring generates keys for and signs with (any asymmetric one; never HS*).
   * @defaultValue `'ES256'`
   */
  algorithm?: AsymmetricAlgorithm;
  /**
   * How long each key signs. Slots are aligned on multiples of it since the epoch, so every instance
   * computes the same slot.
   * @defaultValue `'30d'`
   */
  rotationPeriod?: Duration;
  /**
   * How long before it signs a key is published. At least `cacheLifetime`, so every cached JWKS already
   * holds the key when its first token arrives. Keys are published `prePublication + clockTolerance` ahead
   * of their slot, so this holds for an instance whose clock runs up to `clockTolerance` ahead.
   * @defaultValue `'24h'`
   */
  prePublication?: Duration;
  /**
   * The longest lifetime of a token this ring signs (`exp - iat`).
   * @defaultValue `'1d'`
   */
  maxTokenLifetime?: Duration;
  /**
   * The verifiers' clock tolerance, and the largest difference between the clocks of the instances sharing
   * the store that the ring absorbs: a private key is deleted, and a retired record removed, this long after
   * its date; a key created to sign at once is dated this long back. A larger difference is reported
   * (`onClockSkew`) and the ring then creates no key.
   * @defaultValue `'5m'`
   */
  clockTolerance?: Duration;
  /**
   * How long a JWKS may be cached: the endpoint's max-age plus the remote verifiers' own cache.
   * @defaultValue `'24h'`
   */
  cacheLifetime?: Duration;
  /**
   * How long a key stays published after it stops signing; never less than
   * `maxTokenLifetime + clockTolerance`.
   * @defaultValue `maxTokenLifetime + clockTolerance + cacheLifetime` (1d + 5m + 24h)
   */
  retention?: Duration;
  /**
   * How often the ring re-reads the store (it also wakes at each scheduled state change). A key another
   * instance created to sign at once (first boot, a replacement) reaches this one within it.
   * @defaultValue `'60s'`, or `prePublication` when that is shorter
   */
  refreshInterval?: Duration;
  /**
   * The least time between two store reads triggered by tokens with an unknown `kid`.
   * @defaultValue `'10s'`
   */
  unknownKidCooldown?: Duration;
  /**
   * RSA modulus length in bits, for RS* and PS* keys.
   * @defaultValue `2048`
   */
  rsaModulusLength?: number;
  /**
   * The clock, in epoch milliseconds.
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /** Called for every stored record that fails its integrity checks (once per distinct value). */
  onIntegrityFailure?: (failure: IntegrityFailure) => void;
  /**
   * Whether records written before namespaces were bound (format version 1) are opened. They bind no
   * namespace, so a copy of one opens in any ring sharing the KEK. Upgrade path: run every instance on
   * this version, `rewrap()` (or `org-keys rewrap`) once, which re-seals them bound to the namespace,
   * then set `'refuse'`.
   * @defaultValue `'accept'`
   */
  legacyRecords?: 'accept' | 'refuse';
  /** Called when a record shows another instance's clock beyond `clockTolerance` (see `KeyRing#onClockSkew`). */
  onClockSkew?: (skew: ClockSkew) => void;
}

/** The resolved settings of a ring, in milliseconds. */
export interface KeyRingSettings {
  readonly algorithm: AsymmetricAlgorithm;
  readonly rotationPeriod: number;
  readonly prePublication: number;
  readonly maxTokenLifetime: number;
  readonly clockTolerance: number;
  readonly cacheLifetime: number;
  readonly retention: number;
  readonly refreshInterval: number;
  readonly unknownKidCooldown: number;
  readonly rsaModulusLength: number;
}

const KNOWN_OPTIONS = [
  'kek',
  'store',
  'algorithm',
  'rotationPeriod',
  'prePublication',
  'maxTokenLifetime',
  'clockTolerance',
  'cacheLifetime',
  'retention',
  'refreshInterval',
  'unknownKidCooldown',
  'rsaModulusLength',
  'now',
  'onIntegrityFailure',
  'legacyRecords',
  'onClockSkew',
] as const;

const ms = (value: Duration | undefined, fallback: Duration, setting: string): number =>
  parseDuration(value ?? fallback, `keyRing.${setting}`) * 1000;

/**
 * Validates options and resolves every default.
 * @throws BadRequest (`invalid-configuration`) with a did-you-mean hint for an unknown option.
 * @internal
 */
export function resolveKeyRingSettings(options: KeyRingOptions): KeyRingSettings {
  if (!options || typeof options !== 'object') throw configError(`'keyRing' must be an options object`);
  for (const name of Object.keys(options)) {
    if (!(KNOWN_OPTIONS as readonly string[]).includes(name)) {
      const hint = didYouMean(name, KNOWN_OPTIONS);
      throw configError(`Unknown option 'keyRing.${name}'${hint ? `; did you mean '${hint}'?` : ''}`);
    }
  }
  const algorithm = options.algorithm ?? 'ES256';
  if (!isAsymmetricAlgorithm(algorithm)) {
    throw configError(
      `'keyRing.algorithm' must be an asymmetric JWS algorithm (ES256, EdDSA, RS256, PS256, ...), not '${String(algorithm)}'`,
    );
  }
  const rotationPeriod = ms(options.rotationPeriod, '30d', 'rotationPeriod');
  const prePublication = ms(options.prePublication, '24h', 'prePublication');
  const maxTokenLifetime = ms(options.maxTokenLifetime, '1d', 'maxTokenLifetime');
  const clockTolerance = ms(options.clockTolerance, '5m', 'clockTolerance');
  const cacheLifetime = ms(options.cacheLifetime, '24h', 'cacheLifetime');
  const retention =
    options.retention === undefined
      ? maxTokenLifetime + clockTolerance + cacheLifetime
      : ms(options.retention, 0, 'retention');
  // Derived like this in `org-keys` too: a short pre-publication shortens the default refresh with it.
  const refreshInterval =
    options.refreshInterval === undefined
      ? Math.min(60_000, prePublication)
      : ms(options.refreshInterval, 0, 'refreshInterval');
  const unknownKidCooldown = ms(options.unknownKidCooldown, '10s', 'unknownKidCooldown');
  const rsaModulusLength = options.rsaModulusLength ?? 2048;
  if (rotationPeriod < 1000) throw configError(`'keyRing.rotationPeriod' must be at least 1 second`);
  if (prePublication < cacheLifetime) {
    throw configError(
      `'keyRing.prePublication' is shorter than 'keyRing.cacheLifetime': a cached JWKS would miss the next key when it starts signing`,
    );
  }
  if (prePublication + clockTolerance >= rotationPeriod) {
    throw configError(
      `'keyRing.prePublication' + 'keyRing.clockTolerance' must be shorter than 'keyRing.rotationPeriod': keys are published that long before their slot`,
    );
  }
  if (retention < maxTokenLifetime + clockTolerance) {
    throw configError(
      `'keyRing.retention' is shorter than 'keyRing.maxTokenLifetime' + 'keyRing.clockTolerance': tokens would fail before they expire`,
    );
  }
  if (refreshInterval < 1000 || refreshInterval > prePublication) {
    throw configError(`'keyRing.refreshInterval' must be between 1 second and 'keyRing.prePublication'`);
  }
  if (!Number.isSafeInteger(rsaModulusLength) || rsaModulusLength < 2048 || rsaModulusLength % 8 !== 0) {
    throw configError(`'keyRing.rsaModulusLength' must be a multiple of 8 of at least 2048`);
  }
  if (options.now !== undefined && typeof options.now !== 'function')
    throw configError(`'keyRing.now' must be a function`);
  if (
    options.legacyRecords !== undefined &&
    options.legacyRecords !== 'accept' &&
    options.legacyRecords !== 'refuse'
  )
    throw configError(`'keyRing.legacyRecords' must be 'accept' or 'refuse'`);
  for (const name of ['onIntegrityFailure', 'onClockSkew'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function')
      throw configError(`'keyRing.${name}' must be a function`);
  }
  return Object.freeze({
    algorithm,
    rotationPeriod,
    prePublication,
    maxTokenLifetime,
    clockTolerance,
    cacheLifetime,
    retention,
    refreshInterval,
    unknownKidCooldown,
    rsaModulusLength,
  });
}
