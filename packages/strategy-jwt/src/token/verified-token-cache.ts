import { hash, type KeyObject } from 'node:crypto';
import type { JwsAlgorithm } from '../key-material/algorithms.ts';
import type { JwtPayload } from './claims.ts';
import type { CompactParts } from './compact-parse.ts';
import type { VerifiedTokenCacheSettings } from './verified-token-cache-options.ts';

/** One verified token as the cache keeps it; header and claims are frozen, never handed out. @internal */
export interface CachedToken {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<JwtPayload>;
  readonly alg: JwsAlgorithm;
  readonly kid: string | undefined;
  /** The key that verified the signature: a hit counts only while the source still resolves to it. */
  readonly key: KeyObject;
  readonly bytes: number;
}

// Per entry, beside the token's own text: the 44-character digest key, the Map slot (its hash table holds
// up to twice the entries), this record, the two decoded objects' headers and the boxed NumericDates.
// Measured on Node 20 (docs/jwt-verification.md): an entry takes less than this estimate.
const ENTRY_OVERHEAD = 512;

/**
 * The estimated heap size of a cached token: fixed overhead plus twice the length of its header and
 * payload segments (the decoded JSON is 3/4 of that, as one-byte strings and object slots).
 * @internal
 */
export function estimateEntryBytes(parts: CompactParts): number {
  return ENTRY_OVERHEAD + 2 * (parts.header.length + parts.payload.length);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

/**
 * A deep copy of decoded JSON (plain objects and arrays only, which is all the strict decoder makes):
 * what a caller receives, so its changes never reach the cached claims or another caller.
 * @internal
 */
export function copyJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const copy: Record<string, unknown> = {};
  // Member names were checked by the strict decoder (no `__proto__`), so plain assignment is safe.
  for (const name of Object.keys(value)) copy[name] = copyJson((value as Record<string, unknown>)[name]);
  return copy as T;
}

/**
 * The digest a token is cached under: SHA-256 of the whole compact token, so the raw token is never kept
 * as a long-lived key and any change to any byte (header, claims, signature) is another entry.
 * @internal
 */
export function tokenDigest(token: string): string {
  return hash('sha256', token, 'base64');
}

/**
 * A least-recently-used map of verified tokens bounded by a count and an estimated byte size.
 *
 * It only stores and forgets: the caller re-checks the key, the time-dependent claims and revocation
 * on every hit (see `TokenService`). Not shared between services: each keeps its own, for its own
 * verification options.
 * @internal
 */
export class VerifiedTokenCache {
  readonly settings: Readonly<VerifiedTokenCacheSettings>;
  // A Map iterates in insertion order; a hit re-inserts its entry, so the first key is the least recent.
  readonly #entries = new Map<string, CachedToken>();
  #bytes = 0;

  constructor(settings: VerifiedTokenCacheSettings) {
    this.settings = Object.freeze({ ...settings });
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The estimated bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The entry under `digest`, now the most recently used, or `undefined`. */
  get(digest: string): CachedToken | undefined {
    const entry = this.#entries.get(digest);
    if (entry !== undefined) {
      this.#entries.delete(digest);
      this.#entries.set(digest, entry);
    }
    return entry;
  }

  /**
   * Stores a verified token, then drops least recently used entries until both bounds hold. A token
   * larger than `maxBytes` on its own is not stored.
   * @param digest - {@link tokenDigest} of the token.
   * @param parts - Its pre-parsed segments (for the size estimate).
   * @param verified - What verified it, and its claims; header and claims are frozen in place.
   */
  set(
    digest: string,
    parts: CompactParts,
    verified: { header: Record<string, unknown>; payload: JwtPayload; alg: JwsAlgorithm; key: KeyObject },
  ): void {
    const bytes = estimateEntryBytes(parts);
    if (bytes > this.settings.maxBytes) return;
    this.delete(digest);
    const kid = verified.header.kid;
    this.#entries.set(digest, {
      header: deepFreeze(verified.header),
      payload: deepFreeze(verified.payload),
      alg: verified.alg,
      kid: typeof kid === 'string' ? kid : undefined,
      key: verified.key,
      bytes,
    });
    this.#bytes += bytes;
    while (this.#entries.size > this.settings.max || this.#bytes > this.settings.maxBytes) {
      const oldest = this.#entries.keys().next().value!;
      this.delete(oldest);
    }
  }

  /** Forgets one entry (a no-op when absent). */
  delete(digest: string): void {
    const entry = this.#entries.get(digest);
    if (entry === undefined) return;
    this.#entries.delete(digest);
    this.#bytes -= entry.bytes;
  }

  /**
   * Forgets every entry `keep` refuses (after the key set changed: a retired or revoked key).
   * @returns How many entries were dropped.
   */
  retain(keep: (entry: CachedToken) => boolean): number {
    let dropped = 0;
    for (const [digest, entry] of this.#entries) {
      if (keep(entry)) continue;
      this.delete(digest);
      dropped++;
    }
    return dropped;
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
