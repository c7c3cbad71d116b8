import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { NotAuthenticated, type Id } from '@org/core';
import type { OneTimeCodeStore } from './code-store.ts';

/** A one-time code's life: a minute is enough for a front end to exchange it, and short for a leak. */
export const CODE_TTL_MS = 60_000;
/** 32 random bytes, base64url. */
const CODE = /^[A-Za-z0-9_-]{43}$/;
const PREFIX = 'org-oauth-code:';

/** What a one-time code stands for: a login that already happened, waiting for its token. */
export interface CodeGrant {
  /** The OAuth strategy (provider) that logged the user in. */
  strategy: string;
  /** The entity's id. */
  entityId: Id;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

function invalidCode(): NotAuthenticated {
  return new NotAuthenticated('Invalid or expired login code', { reason: 'invalid-credentials' });
}

/**
 * Issues and redeems one-time codes: random, single use, a minute's life, bound to a secret the browser
 * holds in a cookie. The store keeps only SHA-256 hashes of codes and binding secrets, so reading it
 * yields nothing usable. A code redeemed with the wrong binding is burnt all the same.
 */
export class OneTimeCodes {
  readonly #store: OneTimeCodeStore;
  readonly #ttl: number;

  /**
   * @param store - Where codes wait.
   * @param ttl - Their life in milliseconds.
   */
  constructor(store: OneTimeCodeStore, ttl = CODE_TTL_MS) {
    this.#store = store;
    this.#ttl = ttl;
  }

  /**
   * Stores a grant under a new code.
   * @param grant - The login.
   * @returns The code (for the URL) and the binding secret (for the browser's cookie).
   */
  async issue(grant: CodeGrant): Promise<{ code: string; binding: string }> {
    const code = randomBytes(32).toString('base64url');
    const binding = randomBytes(32).toString('base64url');
    await this.#store.set(
      PREFIX + sha256(code).toString('base64url'),
      {
        s: grant.strategy,
        i: grant.entityId,
        b: sha256(binding).toString('base64url'),
        e: Date.now() + this.#ttl,
      },
      this.#ttl,
    );
    return { code, binding };
  }

  /**
   * Redeems a code once.
   * @param code - The code the front end sent.
   * @param binding - The binding secret from the browser's cookie.
   * @returns The grant.
   * @throws NotAuthenticated `invalid-credentials` for a malformed, unknown, expired, already used or
   *   differently bound code.
   */
  async redeem(code: unknown, binding: unknown): Promise<CodeGrant> {
    if (typeof code !== 'string' || !CODE.test(code)) throw invalidCode();
    const key = PREFIX + sha256(code).toString('base64url');
    const stored = (await this.#store.get(key)) as
      { s?: unknown; i?: unknown; b?: unknown; e?: unknown } | undefined;
    // Single use: of concurrent redeemers, only the one whose delete removed the entry goes on.
    if (stored === undefined || stored === null || !(await this.#store.delete(key))) throw invalidCode();
    const { s, i, b, e } = stored;
    if (typeof e !== 'number' || e <= Date.now()) throw invalidCode();
    if (typeof s !== 'string' || (typeof i !== 'string' && typeof i !== 'number') || typeof b !== 'string') {
      throw invalidCode();
    }
    const expected = Buffer.from(b, 'base64url');
    const given = sha256(typeof binding === 'string' ? binding : '');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalidCode();
    return { strategy: s, entityId: i };
  }
}
