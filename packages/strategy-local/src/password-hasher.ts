import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { BadRequest } from '@org/core';
import { didYouMean } from '@org/core/internal';
import {
  BCRYPT_MAX_COST,
  BCRYPT_MIN_COST,
  bcryptCost,
  dummyBcryptHash,
  exceedsBcryptLength,
} from './bcrypt-hash.ts';
import { bcryptCompare, bcryptHash } from './bcrypt-worker.ts';
import { paddingParameters, withinCurrentCost } from './scrypt-cost.ts';
import { formatScryptHash, parseScryptHash, type ScryptParameters } from './scrypt-hash.ts';

/**
 * What a hasher does with bcrypt hashes (written by Feathers):
 * - `'upgrade'` (the default): they verify, and a successful login replaces them with scrypt, so a
 *   Feathers user logs in after the migration without a reset (invariant 8);
 * - `'keep'`: they verify, and new hashes are written with bcrypt too, so stock Feathers can still log
 *   every user in (the way back); a successful login turns an scrypt hash back into bcrypt;
 * - `'off'`: they are invalid, like any unreadable hash, and no login pays for a bcrypt check (for apps
 *   that never had bcrypt hashes).
 */
export type BcryptMode = 'off' | 'upgrade' | 'keep';

/** The scrypt parameters new hashes are written with. */
export interface ScryptOptions {
  /**
   * log2 of scrypt's CPU/memory cost N. Memory is `128 * 2^logN * blockSize` bytes
   * (32 MiB at the default); each step up doubles time and memory.
   * @defaultValue 15
   */
  logN?: number;
  /**
   * scrypt's block size r.
   * @defaultValue 8
   */
  blockSize?: number;
  /**
   * scrypt's parallelization p.
   * @defaultValue 1
   */
  parallelization?: number;
  /**
   * Bytes of random salt per hash.
   * @defaultValue 16
   */
  saltLength?: number;
  /**
   * Bytes of derived key stored.
   * @defaultValue 32
   */
  keyLength?: number;
}

/** Options of {@link PasswordHasher}: the scrypt parameters, bcrypt migration and the longest password. */
export interface PasswordHasherOptions extends ScryptOptions {
  /**
   * What bcrypt hashes (Feathers') do; see {@link BcryptMode}. While it is not `'off'`, every
   * verification pays one bcrypt check at `bcryptCost` (in a worker thread, beside the scrypt derivation).
   * @defaultValue `'upgrade'`
   */
  bcrypt?: BcryptMode;
  /**
   * The bcrypt cost: new bcrypt hashes (`'keep'`) are written with it, stored ones above it are invalid,
   * and while bcrypt is on every verification pays for one check at this cost. From 4 to 12.
   * @defaultValue 10 (Feathers' `hashSize`)
   */
  bcryptCost?: number;
  /**
   * The longest password `hash` accepts, in characters: a password the login would refuse is never stored.
   * @defaultValue 1024
   */
  maxPasswordLength?: number;
}

/** The default scrypt parameters: N = 2^15, r = 8, p = 1 (32 MiB, about 50 ms on a server core). */
export const DEFAULT_SCRYPT_PARAMETERS: Readonly<Required<ScryptOptions>> = Object.freeze({
  logN: 15,
  blockSize: 8,
  parallelization: 1,
  saltLength: 16,
  keyLength: 32,
});

// Bounds on configured parameters. Stored hashes are bounded tighter: by the current cost (see verify).
const LIMITS = {
  logN: [10, 22],
  blockSize: [1, 32],
  parallelization: [1, 16],
  saltLength: [16, 64],
  keyLength: [16, 64],
  bcryptCost: [BCRYPT_MIN_COST, BCRYPT_MAX_COST],
  maxPasswordLength: [1, 1_000_000],
} as const satisfies Record<Exclude<keyof PasswordHasherOptions, 'bcrypt'>, readonly [number, number]>;
const BCRYPT_MODES: readonly BcryptMode[] = ['off', 'upgrade', 'keep'];
const KNOWN_OPTIONS = [...Object.keys(LIMITS), 'bcrypt'];

function configError(message: string): BadRequest {
  return new BadRequest(message, { reason: 'invalid-configuration' });
}

/**
 * Hashes and verifies passwords with scrypt (node:crypto), in a self-describing PHC string:
 * `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (standard base64 without padding).
 *
 * Every `verify` costs the same whatever it is given (invariant 12): exactly the work of one derivation
 * with the current parameters, plus, unless bcrypt is `'off'`, one bcrypt check at `bcryptCost`.
 * - a missing, malformed or foreign hash is checked against a dummy with the current parameters;
 * - a hash with cheaper parameters (written before `logN` was raised) is checked with its own and padded
 *   by one extra derivation up to the current work; one costing more time or memory than the current
 *   parameters is invalid, so a tampered row cannot pin a CPU;
 * - a bcrypt hash (`$2a$`, `$2b$`, `$2y$`, cost 4 to `bcryptCost`) is checked in a worker thread and padded
 *   with dummy bcrypt checks up to `bcryptCost`, plus a dummy scrypt derivation.
 *
 * @example
 * ```ts
 * const hasher = new PasswordHasher({ logN: 16 });
 * const hash = await hasher.hash('correct horse');
 * await hasher.verify('correct horse', hash); // true
 * hasher.needsRehash(hash); // false
 * ```
 */
export class PasswordHasher {
  /** The scrypt parameters new hashes are written with. */
  readonly parameters: Readonly<Required<ScryptOptions>>;
  /** What bcrypt hashes do; see {@link BcryptMode}. */
  readonly bcrypt: BcryptMode;
  /** The bcrypt cost written, accepted at most, and paid by every verification while bcrypt is on. */
  readonly bcryptCost: number;
  /** The longest password `hash` accepts, in characters. */
  readonly maxPasswordLength: number;
  #dummy: string | undefined;
  readonly #dummyBcrypt = new Map<number, string>();

  /**
   * @param options - scrypt parameters (see {@link DEFAULT_SCRYPT_PARAMETERS}), bcrypt mode and cost, and
   *   the longest password.
   * @throws BadRequest (`invalid-configuration`) when an option is unknown (with a did-you-mean hint), a
   *   number is not an integer within its bounds, or `bcrypt` is not `'off'`, `'upgrade'` or `'keep'`.
   */
  constructor(options: PasswordHasherOptions = {}) {
    const parameters = { ...DEFAULT_SCRYPT_PARAMETERS };
    const settings = { bcryptCost: 10, maxPasswordLength: 1024 };
    for (const [name, value] of Object.entries(options)) {
      if (value === undefined) continue;
      if (!KNOWN_OPTIONS.includes(name)) {
        const hint = didYouMean(name, KNOWN_OPTIONS);
        throw configError(
          `Unknown password hashing option '${name}'` + (hint ? `. Did you mean '${hint}'?` : ''),
        );
      }
      if (name === 'bcrypt') {
        if (!BCRYPT_MODES.includes(value)) {
          throw configError(`Password hashing option 'bcrypt' must be one of 'off', 'upgrade', 'keep'`);
        }
        continue;
      }
      const [min, max] = LIMITS[name as keyof typeof LIMITS];
      if (!Number.isInteger(value) || value < min || value > max) {
        throw configError(`Password hashing option '${name}' must be an integer from ${min} to ${max}`);
      }
      if (name in parameters) parameters[name as keyof ScryptOptions] = value;
      else settings[name as keyof typeof settings] = value;
    }
    this.parameters = Object.freeze(parameters);
    this.bcrypt = options.bcrypt ?? 'upgrade';
    this.bcryptCost = settings.bcryptCost;
    this.maxPasswordLength = settings.maxPasswordLength;
  }

  /**
   * Hashes a password with a fresh random salt: scrypt, or bcrypt at `bcryptCost` in `'keep'` mode.
   * @param password - The plain password.
   * @returns The PHC string (or bcrypt hash).
   * @throws BadRequest (`invalid-credentials-format`) when the password is not a string of at most
   *   `maxPasswordLength` characters, or (in `'keep'` mode) is longer than bcrypt's 72 bytes.
   */
  async hash(password: string): Promise<string> {
    if (typeof password !== 'string' || password.length > this.maxPasswordLength) {
      throw new BadRequest(`The password must be a string of at most ${this.maxPasswordLength} characters`, {
        reason: 'invalid-credentials-format',
      });
    }
    if (this.bcrypt === 'keep') {
      if (exceedsBcryptLength(password)) {
        // bcrypt would silently ignore the rest: every ending would log in.
        throw new BadRequest('The password must be at most 72 bytes while bcrypt hashes are kept', {
          reason: 'invalid-credentials-format',
        });
      }
      return bcryptHash(password, this.bcryptCost);
    }
    const { logN, blockSize, parallelization, saltLength, keyLength } = this.parameters;
    const params: ScryptParameters = { logN, blockSize, parallelization };
    const salt = randomBytes(saltLength);
    const key = await this.derive(password, salt, params, keyLength);
    return formatScryptHash(params, salt, key);
  }

  /**
   * Checks a password against a stored hash, in constant time, at the same cost whatever the hash.
   *
   * Never throws for a bad hash: `undefined`, an empty, malformed or unsupported hash, one costing more
   * than the current parameters, or a bcrypt hash while bcrypt is `'off'` (or above `bcryptCost`) gives
   * `false`, after the same work as a real check.
   * @param password - The plain password.
   * @param hash - The stored hash (scrypt PHC string or bcrypt), if any.
   */
  async verify(password: string, hash: string | undefined): Promise<boolean> {
    const cost = this.bcrypt === 'off' || typeof hash !== 'string' ? undefined : bcryptCost(hash);
    if (cost !== undefined && cost >= BCRYPT_MIN_COST && cost <= this.bcryptCost) {
      // bcrypt's work doubles per cost step: dummies at cost, cost + 1, ..., bcryptCost - 1 add up to
      // exactly what the missing steps cost.
      const pads = Array.from({ length: this.bcryptCost - cost }, (_, i) => this.#dummyBcryptHash(cost + i));
      const [ok] = await Promise.all([
        this.compareBcrypt(password, hash!),
        ...pads.map((pad) => this.compareBcrypt(password, pad)),
        this.#verifyScrypt(password, undefined),
      ]);
      return ok;
    }
    const [ok] = await Promise.all([
      this.#verifyScrypt(password, hash),
      this.bcrypt === 'off' ? false : this.compareBcrypt(password, this.#dummyBcryptHash(this.bcryptCost)),
    ]);
    return ok;
  }

  /**
   * True when `hash` is not what `hash()` would write now: another scrypt cost, an unreadable hash, a
   * bcrypt hash (unless bcrypt is `'keep'`, which in turn reports scrypt hashes and other bcrypt costs).
   * @param hash - The stored hash.
   */
  needsRehash(hash: string): boolean {
    if (this.bcrypt === 'keep') return bcryptCost(hash) !== this.bcryptCost;
    const parsed = parseScryptHash(hash);
    if (parsed === undefined) return true;
    const { logN, blockSize, parallelization, saltLength, keyLength } = this.parameters;
    return (
      parsed.params.logN !== logN ||
      parsed.params.blockSize !== blockSize ||
      parsed.params.parallelization !== parallelization ||
      parsed.salt.length !== saltLength ||
      parsed.key.length !== keyLength
    );
  }

  /**
   * True when, after `password` verified against `hash`, the hash should be replaced: it
   * {@link needsRehash}, and the replacement would check exactly what was checked. A password longer
   * than bcrypt's 72 bytes is never moved to or from bcrypt: bcrypt checked (or would check) only its
   * first 72 bytes, so the login cannot tell which ending is the user's.
   * @param password - The password that just verified.
   * @param hash - The stored hash it verified against.
   */
  shouldRehash(password: string, hash: string): boolean {
    if (!this.needsRehash(hash)) return false;
    const bcryptInvolved = this.bcrypt === 'keep' || bcryptCost(hash) !== undefined;
    return !(bcryptInvolved && exceedsBcryptLength(password));
  }

  /**
   * The raw key derivation every scrypt `hash` and `verify` goes through; `verify` runs it once, or twice
   * (the stored parameters, then the padding to the current cost).
   * Exposed for instrumentation (tests count calls and parameters) and for subclasses; not for general use.
   * @param password - The plain password.
   * @param salt - The salt.
   * @param params - The scrypt parameters.
   * @param keyLength - Bytes to derive.
   */
  derive(password: string, salt: Buffer, params: ScryptParameters, keyLength: number): Promise<Buffer> {
    const N = 2 ** params.logN;
    const r = params.blockSize;
    const p = params.parallelization;
    return new Promise((resolve, reject) => {
      // Node's default maxmem (32 MiB) is just below what N=2^15, r=8 needs; allow twice the need.
      scrypt(password, salt, keyLength, { N, r, p, maxmem: 256 * N * r + 256 * r * p }, (error, key) =>
        error ? reject(error) : resolve(key),
      );
    });
  }

  /**
   * One bcrypt comparison, in a worker thread (bcryptjs is pure JavaScript and would block the event loop).
   * Exposed for instrumentation (tests count calls and costs) and for subclasses; not for general use.
   * @param password - The plain password.
   * @param hash - A bcrypt hash.
   */
  compareBcrypt(password: string, hash: string): Promise<boolean> {
    return bcryptCompare(password, hash);
  }

  async #verifyScrypt(password: string, hash: string | undefined): Promise<boolean> {
    const { logN, blockSize, parallelization } = this.parameters;
    const current = { logN, blockSize, parallelization };
    const parsed = typeof hash === 'string' ? parseScryptHash(hash) : undefined;
    const usable =
      parsed !== undefined &&
      withinLimits(parsed.params, parsed.salt.length, parsed.key.length) &&
      withinCurrentCost(parsed.params, current);
    const { params, salt, key } = usable ? parsed : parseScryptHash(this.#dummyHash())!;
    const padding = paddingParameters(params, current);
    const [derived] = await Promise.all([
      this.derive(password, salt, params, key.length),
      padding && this.derive(password, randomBytes(16), padding, key.length),
    ]);
    return timingSafeEqual(derived, key) && usable;
  }

  // Random salt and key with the current parameters: deriving against it costs what a real check
  // costs, and no password can match a key that was never derived from one.
  #dummyHash(): string {
    if (this.#dummy === undefined) {
      const { logN, blockSize, parallelization, saltLength, keyLength } = this.parameters;
      this.#dummy = formatScryptHash(
        { logN, blockSize, parallelization },
        randomBytes(saltLength),
        randomBytes(keyLength),
      );
    }
    return this.#dummy;
  }

  #dummyBcryptHash(cost: number): string {
    let hash = this.#dummyBcrypt.get(cost);
    if (hash === undefined) this.#dummyBcrypt.set(cost, (hash = dummyBcryptHash(cost)));
    return hash;
  }
}

function withinLimits(params: ScryptParameters, saltLength: number, keyLength: number): boolean {
  const values: Record<string, number> = { ...params, saltLength, keyLength };
  return (['logN', 'blockSize', 'parallelization', 'saltLength', 'keyLength'] as const).every(
    (name) => values[name]! >= LIMITS[name][0] && values[name]! <= LIMITS[name][1],
  );
}
