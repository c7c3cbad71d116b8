// Test support (excluded from the build): several KeyRing instances in one process on one store, each with
// its own clock offset from a reference clock the test steps. Each instance refreshes every refreshInterval
// on its own clock (and at its next state change, as the ring's timer would), signs once per step, and
// every instance checks every token signed in the step. Signing and verifying are modelled by the key the
// ring hands out and the key `resolve` finds for its kid; the token code is tested elsewhere.
import type { KeyRingOptions } from './key-ring-options.ts';
import { createKeyRing, type KeyRing } from './key-ring.ts';
import type { ClockSkew } from './key-ring-events.ts';
import type { AsymmetricAlgorithm } from './signing-key-pair.ts';
import type { KeyStore } from './stores/key-store.ts';
import { fleetLog, recordEntries, type FleetLog, type FleetSettings } from './test-fleet-invariants.ts';

/** The operator settings: 60 s rotation, 20 s pre-publication and cache, 5 s tolerance, 4 s refresh. */
export const FAST_SCHEDULE = {
  rotationPeriod: 60,
  prePublication: 20,
  cacheLifetime: 20,
  clockTolerance: 5,
  refreshInterval: 4,
  maxTokenLifetime: 10,
} as const;

/** {@link FAST_SCHEDULE} in milliseconds, as the invariant checks take it. */
export const FAST_SETTINGS: FleetSettings = {
  rotationPeriod: 60_000,
  prePublication: 20_000,
  cacheLifetime: 20_000,
  clockTolerance: 5000,
  refreshInterval: 4000,
};

interface Member {
  name: string;
  offset: number;
  ring: KeyRing;
  nextRefresh: number;
  /** The state change the ring's timer was set for after the previous round. */
  wake?: number;
}

/** A fleet of rings on one store whose clocks differ by fixed offsets. */
export class SkewedFleet {
  readonly log: FleetLog = fleetLog();
  readonly skews: Array<ClockSkew & { instance: string; at: number }> = [];
  readonly members: Member[] = [];
  readonly store: KeyStore;
  now: number;
  #turn = 0;
  // A fixed-seed generator: refreshes come 0-3 s early (unknown kids, restarts), so their phase against the
  // slot boundaries changes from one rotation to the next, as on real machines, yet every run is the same.
  #seed = 0x2545f491;
  readonly #creators = new Map<string, string>();

  /**
   * @param store - The shared store.
   * @param start - The reference time to start at.
   * @param offsets - Each instance's name and clock offset (ms) from the reference clock.
   * @param options - Ring options every instance gets (besides the fast schedule).
   * @param algorithms - An instance's algorithm when it is not `options.algorithm` (two algorithms, one store).
   */
  constructor(
    store: KeyStore,
    start: number,
    offsets: Record<string, number>,
    options: Omit<KeyRingOptions, 'store' | 'now'>,
    algorithms: Record<string, AsymmetricAlgorithm> = {},
  ) {
    this.store = store;
    this.now = start;
    Object.entries(offsets).forEach(([name, offset], i) => {
      const ring = createKeyRing({
        ...FAST_SCHEDULE,
        ...options,
        ...(algorithms[name] && { algorithm: algorithms[name] }),
        store: this.#recording(name),
        now: () => this.now + offset,
        onClockSkew: (skew) => this.skews.push({ ...skew, instance: name, at: this.now }),
      });
      // Staggered refreshes, as instances started at different times would have.
      this.members.push({ name, offset, ring, nextRefresh: start + offset + i * 1000 });
    });
  }

  /** A handle on the shared store that reports which instance created each record. */
  #recording(name: string): KeyStore {
    const store = this.store;
    return {
      get: (id) => store.get(id),
      list: () => store.list(),
      update: (id, value, expected) => store.update(id, value, expected),
      delete: (id) => store.delete(id),
      close: async () => undefined,
      createIfAbsent: async (id, value) => {
        const created = await store.createIfAbsent(id, value);
        if (created) this.#creators.set(id, name);
        return created;
      },
    };
  }

  /** Advances the reference clock by `step` ms and runs one round: refreshes due, one token each, checks. */
  async tick(step = 1000): Promise<void> {
    this.now += step;
    const order = this.members.map((_, i) => this.members[(i + this.#turn) % this.members.length]!);
    this.#turn++;
    const tokens: Array<{ kid: string; alg: string; by: Member; exp: number }> = [];
    for (const m of order) {
      const clock = this.now + m.offset;
      if (clock >= m.nextRefresh || (m.wake !== undefined && clock >= m.wake)) {
        m.nextRefresh = clock + FAST_SETTINGS.refreshInterval - 1000 * (this.#random() % 4);
        await m.ring.refresh().catch(() => undefined);
      }
      const sample = { instance: m.name, at: this.now, jwks: m.ring.jwks().keys.map((k) => k.kid!) };
      try {
        const { kid, alg } = await m.ring.getSigningKey();
        tokens.push({ kid: kid!, alg, by: m, exp: clock + FAST_SCHEDULE.maxTokenLifetime * 1000 });
        this.log.samples.push({ ...sample, signed: { kid: kid! } });
      } catch (error) {
        const { message, reason } = error as { message: string; reason?: string };
        this.log.samples.push({ ...sample, signed: { error: message, ...(reason && { reason }) } });
      }
      m.wake = m.ring.nextChangeAt();
    }
    for (const m of this.members) {
      for (const { kid, alg, by, exp } of tokens) {
        const ok = m.ring.resolve({ alg, kid }) !== undefined;
        this.log.verifications.push({
          instance: m.name,
          at: this.now,
          kid,
          signedBy: by.name,
          signedAt: this.now,
          exp,
          offset: m.offset,
          ok,
          ...(!ok && { code: 'no key for kid' }),
        });
      }
    }
    recordEntries(this.log, await this.store.list(), this.now, this.#creators);
  }

  #random(): number {
    this.#seed = (Math.imul(this.#seed, 1_103_515_245) + 12_345) >>> 0;
    return this.#seed >>> 16;
  }

  /** Runs ticks until the reference clock reaches `until`. */
  async runUntil(until: number, step = 1000): Promise<void> {
    while (this.now + step <= until) await this.tick(step);
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.ring.stop()));
  }
}
