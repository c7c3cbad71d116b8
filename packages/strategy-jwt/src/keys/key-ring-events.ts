import type { IntegrityReason } from './record-seal.ts';

export type { IntegrityReason } from './record-seal.ts';

/** A stored record the ring refused; it is ignored (never published, never used) until it is fixed. */
export interface IntegrityFailure {
  /** The store id of the record. */
  id: string;
  /** What failed. */
  reason: IntegrityReason;
}
