import { randomBytes } from 'node:crypto';

/** The lowest bcrypt cost bcrypt itself accepts. */
export const BCRYPT_MIN_COST = 4;
/**
 * The highest bcrypt cost verified or written: Feathers writes 10; each step doubles the work, and a
 * stored row must not be able to ask for seconds of CPU per login.
 */
export const BCRYPT_MAX_COST = 12;
/** bcrypt reads at most this many bytes of a password (UTF-8) and ignores the rest. */
export const BCRYPT_MAX_PASSWORD_BYTES = 72;

const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// The 22nd salt character carries only 2 of its 6 bits: bcrypt implementations accept these four.
const LAST_SALT_CHARACTERS = '.Oeu';

/**
 * The cost of a bcrypt hash (`$2a$`, `$2b$`, `$2y$`), or `undefined` when `hash` is not one.
 * @param hash - The stored hash.
 */
export function bcryptCost(hash: string): number | undefined {
  const match = BCRYPT.exec(hash);
  return match === null ? undefined : Number(match[1]);
}

/** True when bcrypt would ignore part of `password` (more than 72 UTF-8 bytes). */
export function exceedsBcryptLength(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_PASSWORD_BYTES;
}

function randomText(length: number): string {
  return [...randomBytes(length)].map((byte) => ALPHABET[byte & 63]).join('');
}

/**
 * A well-formed bcrypt hash of `cost` that no password matches (random salt and digest): comparing with
 * it costs what a real comparison at that cost costs.
 * @param cost - The bcrypt cost.
 */
export function dummyBcryptHash(cost: number): string {
  const salt = randomText(21) + LAST_SALT_CHARACTERS[randomBytes(1)[0]! & 3];
  return `$2b$${String(cost).padStart(2, '0')}$${salt}${randomText(31)}`;
}
