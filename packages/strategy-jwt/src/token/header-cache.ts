import type { JwsAlgorithm } from '../key-material/algorithms.ts';

/** A header that passed the strict JSON decoding and every header check of `verifyJws`. @internal */
export interface CheckedHeader {
  /** The decoded header, frozen when it is cached: callers get the same object and cannot change it. */
  readonly header: Readonly<Record<string, unknown>>;
  /** `header.alg`, known to be a JWS algorithm of the table (the allow-list is checked per call). */
  readonly alg: JwsAlgorithm;
  /** `header.kid`, a string or absent. */
  readonly kid: string | undefined;
}

/** How many header segments are remembered. Tokens of one deployment share a handful of headers. */
export const HEADER_CACHE_ENTRIES = 256;

/** The longest header segment remembered, in characters; longer ones are decoded every time. */
export const MAX_CACHED_HEADER_LENGTH = 512;

/**
 * A bounded map from a header segment (the base64url text) to its checked header, so the tokens of one
 * issuer, which repeat the same header, skip its base64 and strict JSON decoding.
 *
 * Sound because decoding and the per-header checks are a pure function of the segment text; what
 * depends on the call (the `alg` allow-list, the key) is checked again on every hit by the caller.
 * Only flat headers (every member a primitive) are kept, so freezing the object makes it immutable.
 * Memory is bounded: at most {@link HEADER_CACHE_ENTRIES} entries of at most
 * {@link MAX_CACHED_HEADER_LENGTH} characters, the oldest entry leaving first.
 * @internal
 */
export class HeaderCache {
  readonly #entries = new Map<string, CheckedHeader>();
  readonly #capacity: number;

  /** @param capacity - The most entries kept. */
  constructor(capacity = HEADER_CACHE_ENTRIES) {
    this.#capacity = capacity;
  }

  /** The number of entries (for tests and diagnostics). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The checked header for `segment`, if remembered.
   * @param segment - The header segment of a token.
   */
  get(segment: string): CheckedHeader | undefined {
    return this.#entries.get(segment);
  }

  /**
   * Remembers a header that passed every check. A caller calls this only after the signature verified,
   * so a forger cannot churn the entries with headers of tokens that do not verify.
   * @param segment - The header segment.
   * @param checked - Its checked header; frozen here when kept.
   */
  set(segment: string, checked: CheckedHeader): void {
    if (segment.length > MAX_CACHED_HEADER_LENGTH || this.#entries.has(segment)) return;
    for (const value of Object.values(checked.header)) {
      if (typeof value === 'object' && value !== null) return;
    }
    if (this.#entries.size >= this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    Object.freeze(checked.header);
    // The segment is usually a slice of the whole token, and V8 keeps the token alive for a slice;
    // a copy keeps only the header text.
    const key = Buffer.from(segment, 'latin1').toString('latin1');
    this.#entries.set(key, Object.freeze({ ...checked }));
  }

  /** Forgets every entry. */
  clear(): void {
    this.#entries.clear();
  }
}

/** The process-wide cache `verifyJws` uses (decoding does not depend on the service). @internal */
export const headerCache = new HeaderCache();
