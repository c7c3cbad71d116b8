import { hash, type KeyObject } from 'node:crypto';
import { jsonCopier } from '@org/core/internal';
import type { JwsAlgorithm } from '../key-material/algorithms.ts';
import type { JwtPayload, TimeSpan } from './claims.ts';
import type { CompactParts } from './compact-parse.ts';
import type { VerifiedTokenCacheSettings } from './verified-token-cache-options.ts';

/** One verified token as the cache keeps it; header (frozen) and claims are never handed out. @internal */
export interface CachedToken {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<JwtPayload>;
  readonly alg: JwsAlgorithm;
  readonly kid: string | undefined;
  /** The key that verified the signature: a hit counts only while the source still resolves to it. */
  readonly key: KeyObject;
  readonly bytes: number;
  /** How the claims are copied for each caller: a spread when no claim is an object or array. */
  readonly copy: (payload: Readonly<JwtPayload>) => Readonly<JwtPayload>;
  /**
   * The seconds in which the time claims certainly still hold (`certainlyValidSpan`): a hit inside it
   * needs no other time check; outside it, every claim check runs again.
   */
  readonly span: Readonly<TimeSpan>;
}

// An empty span: every hit runs the claim checks in full.
const NO_SPAN: Readonly<TimeSpan> = Object.freeze({ from: Infinity, until: -Infinity });

/** A list node: the cache's recency order is a doubly linked list through its entries. */
interface Node {
  readonly digest: string;
  readonly entry: CachedToken;
  newer: Node | undefined;
  older: Node | undefined;
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

/** The claims a caller receives from an entry: a fresh copy it may change. @internal */
export function handOut(entry: CachedToken): JwtPayload {
  return entry.copy(entry.payload) as JwtPayload;
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
  readonly #nodes = new Map<string, Node>();
  // The recency list: a hit relinks its node at the newest end (pointer writes only; reordering a Map by
  // delete and set degrades badly on large maps), eviction takes the oldest end.
  #newest: Node | undefined;
  #oldest: Node | undefined;
  #bytes = 0;

  constructor(settings: VerifiedTokenCacheSettings) {
    this.settings = Object.freeze({ ...settings });
  }

  /** Entries held. */
  get size(): number {
    return this.#nodes.size;
  }

  /** The estimated bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The entry under `digest`, now the most recently used, or `undefined`. */
  get(digest: string): CachedToken | undefined {
    const node = this.#nodes.get(digest);
    if (node === undefined) return undefined;
    if (node !== this.#newest) {
      this.#unlink(node);
      this.#pushNewest(node);
    }
    return node.entry;
  }

  /**
   * Stores a verified token, then drops least recently used entries until both bounds hold. A token
   * larger than `maxBytes` on its own is not stored.
   * @param digest - {@link tokenDigest} of the token.
   * @param parts - Its pre-parsed segments (for the size estimate).
   * @param verified - What verified it, and its claims; the header is frozen in place, and the caller
   *   keeps no reference to the claims.
   * @param span - When its time claims certainly hold; by default never (every hit checks them in full).
   */
  set(
    digest: string,
    parts: CompactParts,
    verified: { header: Record<string, unknown>; payload: JwtPayload; alg: JwsAlgorithm; key: KeyObject },
    span: Readonly<TimeSpan> = NO_SPAN,
  ): void {
    const bytes = estimateEntryBytes(parts);
    if (bytes > this.settings.maxBytes) return;
    this.delete(digest);
    const kid = verified.header.kid;
    // The claims are not frozen: V8 copies a frozen object several times slower than a plain one, and
    // every hit hands out a copy. They never leave this module: `handOut` is the only way out.
    const payload = verified.payload;
    const entry: CachedToken = {
      header: deepFreeze(verified.header),
      payload,
      alg: verified.alg,
      kid: typeof kid === 'string' ? kid : undefined,
      key: verified.key,
      bytes,
      copy: jsonCopier(payload),
      span,
    };
    const node: Node = { digest, entry, newer: undefined, older: undefined };
    this.#nodes.set(digest, node);
    this.#pushNewest(node);
    this.#bytes += bytes;
    while (this.#nodes.size > this.settings.max || this.#bytes > this.settings.maxBytes) {
      this.delete(this.#oldest!.digest);
    }
  }

  /** Forgets one entry (a no-op when absent). */
  delete(digest: string): void {
    const node = this.#nodes.get(digest);
    if (node === undefined) return;
    this.#nodes.delete(digest);
    this.#unlink(node);
    this.#bytes -= node.entry.bytes;
  }

  /**
   * Forgets every entry `keep` refuses (after the key set changed: a retired or revoked key).
   * @returns How many entries were dropped.
   */
  retain(keep: (entry: CachedToken) => boolean): number {
    let dropped = 0;
    for (const [digest, node] of this.#nodes) {
      if (keep(node.entry)) continue;
      this.delete(digest);
      dropped++;
    }
    return dropped;
  }

  /** Forgets everything. */
  clear(): void {
    this.#nodes.clear();
    this.#newest = this.#oldest = undefined;
    this.#bytes = 0;
  }

  #unlink(node: Node): void {
    if (node.newer) node.newer.older = node.older;
    else this.#newest = node.older;
    if (node.older) node.older.newer = node.newer;
    else this.#oldest = node.newer;
    node.newer = node.older = undefined;
  }

  #pushNewest(node: Node): void {
    node.older = this.#newest;
    if (this.#newest) this.#newest.newer = node;
    this.#newest = node;
    this.#oldest ??= node;
  }
}
