import type { JWK } from 'jose';

/**
 * What the JWKS endpoint publishes from: the key ring implements it, and so can anything that holds
 * a key set and knows when it changes next.
 */
export interface JwksSource {
  /** The current JWK Set. MUST be synchronous and cheap (precomputed); private members are filtered anyway. */
  jwks(): { keys: readonly JWK[] };
  /** When the published set changes next (epoch milliseconds), or `undefined` when no change is scheduled. */
  nextChangeAt(): number | undefined;
  /**
   * Registers a listener called after the set changed.
   * @returns Optionally, a function that removes the listener.
   */
  onChange(listener: () => void): (() => void) | void;
}
