import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { configError, parseRecordJson } from '@org/core/internal';

const VERSION = 'v1';
/** Fixed HKDF salt: separates these keys from any other use of the same secret (RFC 5869 section 3.1). */
const SALT = 'org-auth/strategy-oauth/cookie';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Browsers keep cookies up to 4096 bytes; a longer value is refused before anything is decoded. */
const MAX_SEALED_LENGTH = 4000;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** The shortest secret accepted, in characters: 256 bits of base64url. */
export const MIN_SECRET_LENGTH = 32;

interface DerivedKey {
  kid: string;
  key: Buffer;
}

function derive(secret: string, purpose: string): DerivedKey {
  const key = Buffer.from(hkdfSync('sha256', secret, SALT, `aes-256-gcm:${purpose}`, 32));
  const kid = Buffer.from(hkdfSync('sha256', secret, SALT, `kid:${purpose}`, 6)).toString('base64url');
  return { kid, key };
}

/**
 * Checks the secrets a sealer derives its keys from.
 * @throws BadRequest `invalid-configuration` naming the setting (never echoing the secret).
 */
function checkSecrets(secrets: unknown, setting: string): readonly string[] {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (!Array.isArray(list) || list.length === 0) {
    throw configError(`${setting} must be a secret string or a non-empty list of them (newest first)`);
  }
  for (const secret of list) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
      throw configError(
        `${setting}: every secret must be a string of at least ${MIN_SECRET_LENGTH} characters`,
      );
    }
    // Invariant 11: public key material is never a secret.
    if (/-----BEGIN|"kty"/.test(secret)) throw configError(`${setting}: a key is not a secret`);
  }
  return list as string[];
}

/**
 * Seals small JSON records into cookie values: AES-256-GCM (encrypted, and authenticated by its tag, so
 * the value is both secret and tamper-proof) under a key derived with HKDF-SHA256 from a configured secret,
 * with an expiry inside the sealed data. Several secrets rotate: the first seals, every one opens (each
 * value names its key by a short id derived from the secret). The purpose is bound into the key and the
 * authenticated data, so a value sealed for one cookie never opens as another.
 *
 * @example
 * ```ts
 * const sealer = new CookieSealer([process.env.OAUTH_COOKIE_SECRET, previousSecret], 'oauth-state');
 * const value = sealer.seal({ state, nonce }, 600);
 * sealer.open(value); // { state, nonce }, or undefined once expired, tampered with or unknown
 * ```
 */
export class CookieSealer {
  readonly #keys: readonly DerivedKey[];
  readonly #purpose: string;

  /**
   * @param secrets - A secret or a list of them, newest first; each at least 32 characters.
   * @param purpose - What the values are for (`oauth-state`): bound into keys and authenticated data.
   * @param setting - The configuration setting the secrets come from, for messages.
   * @throws BadRequest `invalid-configuration` for a missing, short or key-shaped secret.
   */
  constructor(secrets: string | readonly string[], purpose: string, setting = 'secret') {
    this.#purpose = purpose;
    this.#keys = checkSecrets(secrets, setting).map((secret) => derive(secret, purpose));
  }

  #aad(kid: string): Buffer {
    return Buffer.from(`${VERSION}.${this.#purpose}.${kid}`);
  }

  /**
   * Seals a record.
   * @param data - A JSON-serialisable record.
   * @param maxAge - Seconds it stays valid.
   * @param now - The current time in milliseconds.
   * @returns `v1.<kid>.<iv>.<ciphertext and tag>`, base64url parts.
   * @throws GeneralError when the sealed value would be too long for a cookie (a bug, not bad input).
   */
  seal(data: Record<string, unknown>, maxAge: number, now = Date.now()): string {
    const { kid, key } = this.#keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(this.#aad(kid));
    const plain = Buffer.from(JSON.stringify({ exp: now + maxAge * 1000, data }));
    const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    const value = [VERSION, kid, iv.toString('base64url'), sealed.toString('base64url')].join('.');
    if (value.length > MAX_SEALED_LENGTH) throw new Error(`A sealed ${this.#purpose} value is too long`);
    return value;
  }

  /**
   * Opens a sealed value. Never throws: anything malformed, tampered with, sealed under an unknown secret
   * or for another purpose, or expired, is `undefined`.
   * @param value - The cookie value.
   * @param now - The current time in milliseconds.
   * @returns The record (a null-prototype-safe copy: no `__proto__`, `constructor` or `prototype` keys).
   */
  open(value: unknown, now = Date.now()): Record<string, unknown> | undefined {
    if (typeof value !== 'string' || value.length > MAX_SEALED_LENGTH) return undefined;
    const parts = value.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION || !parts.slice(1).every((p) => BASE64URL.test(p))) {
      return undefined;
    }
    const [, kid, ivText, sealedText] = parts as [string, string, string, string];
    const entry = this.#keys.find((k) => k.kid === kid);
    const iv = Buffer.from(ivText, 'base64url');
    const sealed = Buffer.from(sealedText, 'base64url');
    if (entry === undefined || iv.length !== IV_BYTES || sealed.length <= TAG_BYTES) return undefined;
    let envelope: unknown;
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(this.#aad(kid));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(sealed.subarray(0, -TAG_BYTES)), decipher.final()]);
      envelope = parseRecordJson(plain.toString('utf8'));
    } catch {
      return undefined;
    }
    const { exp, data } = (envelope ?? {}) as { exp?: unknown; data?: unknown };
    if (typeof exp !== 'number' || exp <= now) return undefined;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
    return data as Record<string, unknown>;
  }
}
