import type { ClockSkew, IntegrityFailure } from './key-ring-events.ts';

/** Process warning codes of the key ring (`process.on('warning')`, or `--no-warnings` to silence them). */
export const KEY_RING_WARNINGS = {
  integrity: 'ORG_KEY_RING_INTEGRITY',
  clockSkew: 'ORG_KEY_RING_CLOCK_SKEW',
} as const;

/** Calls every listener; one that throws never stops the ring. */
function notify<T>(listeners: ReadonlySet<(value: T) => void>, value: T): void {
  for (const listener of listeners) {
    try {
      listener(value);
    } catch {
      // a failing listener must not stop the ring
    }
  }
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/**
 * The ring's listeners and log lines. Integrity failures and clock skew are reported once per distinct
 * record value (or record and evidence), as an event and as one process warning line naming the record,
 * never its content.
 * @internal
 */
export class KeyRingListeners {
  readonly change = new Set<() => void>();
  readonly integrity = new Set<(failure: IntegrityFailure) => void>();
  readonly clockSkew = new Set<(skew: ClockSkew) => void>();
  #integritySeen = new Set<string>();
  #skewSeen = new Set<string>();

  changed(): void {
    notify(this.change, undefined);
  }

  /**
   * Reports the failures of one store read: those not reported on the previous read. A value that opened
   * again and fails later is reported again.
   * @param failures - Each failing record with the raw value it holds now.
   */
  integrityFailures(failures: ReadonlyArray<IntegrityFailure & { value: string }>): void {
    const seen = new Set<string>();
    for (const { id, reason, value } of failures) {
      const key = `${id}\n${value}`;
      seen.add(key);
      if (this.#integritySeen.has(key)) continue;
      process.emitWarning(
        `Key ring: record ${id} failed its integrity check (${reason}); it is ignored until it is fixed or removed`,
        { code: KEY_RING_WARNINGS.integrity },
      );
      notify(this.integrity, { id, reason });
    }
    this.#integritySeen = seen;
  }

  skew(evidence: readonly ClockSkew[]): void {
    for (const skew of evidence) {
      const key = `${skew.id}\n${skew.evidence}`;
      if (this.#skewSeen.has(key)) continue;
      this.#skewSeen.add(key);
      process.emitWarning(
        `Key ring: clock skew beyond clockTolerance (${seconds(skew.clockTolerance)}): record ${skew.id} shows a ` +
          `writer clock at least ${seconds(skew.aheadBy)} ahead of this instance's (${skew.evidence}); no key ` +
          `is created while clocks disagree: synchronise the clocks (NTP)`,
        { code: KEY_RING_WARNINGS.clockSkew },
      );
      notify(this.clockSkew, skew);
    }
  }
}
