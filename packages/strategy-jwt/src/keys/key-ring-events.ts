import type { IntegrityReason } from './record-seal.ts';

export type { IntegrityReason } from './record-seal.ts';

/** A stored record the ring refused; it is ignored (never published, never used) until it is fixed. */
export interface IntegrityFailure {
  /** The store id of the record. */
  id: string;
  /** What failed. */
  reason: IntegrityReason;
}

/**
 * Evidence, in a record another instance wrote, that its clock and this instance's differ by more than
 * `clockTolerance`. The ring then creates no key on this refresh (it would not be on the schedule the others
 * follow); each record and kind of evidence is reported once.
 */
export interface ClockSkew {
  /** The store id of the record. */
  id: string;
  /**
   * What gave it away: the record was `created` or `revoked` at a time this clock has not reached; a key
   * active on this clock was `stripped` of its private key (done only `clockTolerance` after it stops
   * signing); a key created to sign at once, dated `clockTolerance` back, has not `activated` yet here.
   */
  evidence: 'created' | 'revoked' | 'stripped' | 'activated';
  /** The least time, in milliseconds, by which the writer's clock was ahead of this instance's. */
  aheadBy: number;
  /** This ring's `clockTolerance`, in milliseconds. */
  clockTolerance: number;
}
