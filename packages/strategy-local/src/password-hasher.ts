import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { BadRequest } from '@org/core';
import { didYouMean } from '@org/core/internal';
import { formatScryptHash, parseScryptHash, type ScryptParameters } from './scrypt-hash.ts';

/** Options of {@link PasswordHasher}: the scrypt parameters new hashes are written with. */
export interface PasswordHasherOptions {
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

/** The default scrypt parameters: N = 2^15, r = 8, p = 1 (32 MiB, about 50 ms on a server core). */
export const DEFAULT_SCRYPT_PARAMETERS: Readonly<Required<PasswordHasherOptions>> = Object.freeze({
  logN: 15,
  blockSize: 8,
  parallelization: 1,
  saltLength: 16,
  keyLength: 32,
});

// Bounds on parameters, both for configuration and for stored hashes: a hash row with ln=40 must not
// be able to pin a CPU or exhaust memory when someone logs in against it.
const LIMITS = {
  logN: [10, 22],
  blockSize: [1, 32],
  parallelization: [1, 16],
  saltLength: [16, 64],
  keyLength: [16, 64],
} as const satisfies Record<keyof PasswordHasherOptions, readonly [number, number]>;

const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
// Feathers writes cost 10; beyond 16 one check takes seconds, which a stored row must not force.
const BCRYPT_MAX_COST = 16;

/**
 * Hashes and verifies passwords with scrypt (node:crypto), in a self-describing PHC string:
 * `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (standard base64 without padding).
 *
 * - `verify` runs exactly one key derivation with the current parameters whatever it is given
 *   (a missing, malformed or foreign hash is checked against a dummy), so the time it takes does not
 *   tell a missing user from a wrong password; the final comparison is constant-time.
 * - bcrypt hashes written by Feathers (`$2a$`, `$2b$`, `$2y$`, bcryptjs) still verify; `needsRehash`
 *   reports them, and any scrypt hash with other parameters, so they can be upgraded on login.
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
  /** The parameters new hashes are written with. */
  readonly parameters: Readonly<Required<PasswordHasherOptions>>;
  #dummy: string | undefined;

  /**
   * @param options - scrypt parameters; see {@link DEFAULT_SCRYPT_PARAMETERS}.
   * @throws BadRequest (`invalid-configuration`) when a parameter is unknown (with a did-you-mean hint) or
   *   not an integer within its bounds.
   */
  constructor(options: PasswordHasherOptions = {}) {
    const parameters = { ...DEFAULT_SCRYPT_PARAMETERS };
    for (const [name, value] of Object.entries(options)) {
      if (value === undefined) continue;
      if (!Object.hasOwn(LIMITS, name)) {
        const hint = didYouMean(name, Object.keys(LIMITS));
        throw new BadRequest(
          `Unknown password hashing option '${name}'` + (hint ? `. Did you mean '${hint}'?` : ''),
          { reason: 'invalid-configuration' },
        );
      }
      const [min, max] = LIMITS[name as keyof typeof LIMITS];
      if (!Number.isInteger(value) || value < min || value > max) {
        throw new BadRequest(`Password hashing option '${name}' must be an integer from ${min} to ${max}`, {
          reason: 'invalid-configuration',
        });
      }
      parameters[name as keyof PasswordHasherOptions] = value;
    }
    this.parameters = Object.freeze(parameters);
  }

  /**
   * Hashes a password with a fresh random salt.
   * @param password - The plain password.
   * @returns The PHC string.
   */
  async hash(password: string): Promise<string> {
    const { logN, blockSize, parallelization, saltLength, keyLength } = this.parameters;
    const params: ScryptParameters = { logN, blockSize, parallelization };
    const salt = randomBytes(saltLength);
    const key = await this.derive(password, salt, params, keyLength);
    return formatScryptHash(params, salt, key);
  }

  /**
   * Checks a password against a stored hash, in constant time.
   *
   * Never throws for a bad hash: `undefined`, an empty, malformed or unsupported hash (or one with
   * out-of-bounds parameters) is compared with a dummy hash and gives `false`, in the time a real
   * comparison takes.
   * @param password - The plain password.
   * @param hash - The stored hash (scrypt PHC string or bcrypt), if any.
   */
  async verify(password: string, hash: string | undefined): Promise<boolean> {
    const legacy = typeof hash === 'string' ? BCRYPT.exec(hash) : null;
    if (legacy !== null && Number(legacy[1]) >= 4 && Number(legacy[1]) <= BCRYPT_MAX_COST) {
      return bcrypt.compare(password, hash!);
    }
    const parsed = typeof hash === 'string' ? parseScryptHash(hash) : undefined;
    const usable = parsed !== undefined && withinLimits(parsed.params, parsed.salt.length, parsed.key.length);
    const { params, salt, key } = usable ? parsed : parseScryptHash(this.#dummyHash())!;
    const derived = await this.derive(password, salt, params, key.length);
    return timingSafeEqual(derived, key) && usable;
  }

  /**
   * True when `hash` was not written with the current parameters (a bcrypt hash, an scrypt hash
   * with other parameters, or something unreadable), so it should be replaced after a successful login.
   * @param hash - The stored hash.
   */
  needsRehash(hash: string): boolean {
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
   * The raw key derivation every `hash` and `verify` goes through (exactly once per call).
   * Exposed for instrumentation (tests count calls) and for subclasses; not for general use.
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
      scrypt(password, salt, keyLength, { N, r, p, maxmem: 256 * N * r * p }, (error, key) =>
        error ? reject(error) : resolve(key),
      );
    });
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
}

function withinLimits(params: ScryptParameters, saltLength: number, keyLength: number): boolean {
  const values = { ...params, saltLength, keyLength };
  return (Object.keys(LIMITS) as (keyof typeof LIMITS)[]).every(
    (name) => values[name] >= LIMITS[name][0] && values[name] <= LIMITS[name][1],
  );
}
