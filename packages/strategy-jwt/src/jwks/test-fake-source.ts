import type { JWK } from 'jose';
import type { JwksSource } from './jwks-source.ts';

/** A JwksSource for tests: set keys and the next change by hand; counts jwks() reads. */
export class FakeJwksSource implements JwksSource {
  keys: JWK[];
  next: number | undefined;
  reads = 0;
  readonly listeners = new Set<() => void>();

  constructor(keys: JWK[], next?: number) {
    this.keys = keys;
    this.next = next;
  }

  jwks(): { keys: JWK[] } {
    this.reads++;
    return { keys: this.keys };
  }

  nextChangeAt(): number | undefined {
    return this.next;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  change(keys: JWK[], next?: number): void {
    this.keys = keys;
    this.next = next;
    for (const l of this.listeners) l();
  }
}
