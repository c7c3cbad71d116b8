import { afterEach, describe, expect, it } from 'vitest';
import { keyvKeyStore } from './stores/keyv-key-store.ts';
import { fleetViolations, type Faults } from './test-fleet-invariants.ts';
import { FAST_SETTINGS, SkewedFleet } from './test-skewed-fleet.ts';
import { KEK } from './test-ring-support.ts';
import { parseSlotId } from './key-schedule.ts';

// Invariant 3 under clock skew, in one process: four instances on one store, one clock stepped a second at
// a time, each instance's clock a fixed offset from it, with the operator settings (60 s rotation,
// 20 s pre-publication and cache lifetime, 5 s tolerance, 4 s refresh), through twenty rotations.
const PERIOD = FAST_SETTINGS.rotationPeriod;
const BOOT_SLOT = 29_000_000;
const T0 = BOOT_SLOT * PERIOD + 20_000; // early enough to pre-publish the next slot's key in full
const ROTATIONS = 20;

let fleet: SkewedFleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

function faults(exempt: string[] = []): Faults {
  return { withdrawn: new Map(), bootSlots: new Set([BOOT_SLOT]), outages: [], exempt: new Set(exempt) };
}

async function run(offsets: Record<string, number>): Promise<SkewedFleet> {
  fleet = new SkewedFleet(keyvKeyStore(), T0, offsets, { kek: KEK });
  await fleet.runUntil((BOOT_SLOT + 1 + ROTATIONS) * PERIOD + 30_000);
  return fleet;
}

function generations(f: SkewedFleet): string[] {
  return [...f.log.records.keys()].filter((id) => (parseSlotId(id)?.generation ?? 0) > 0);
}

describe('a fleet whose clocks differ by up to clockTolerance', () => {
  it.each([
    ['in step', { a: 0, b: 0, c: 0, d: 0 }],
    ['one instance 1 s behind', { a: 0, b: 0, c: 0, d: -1000 }],
    ['one instance 3 s behind', { a: 0, b: 0, c: 0, d: -3000 }],
    ['one instance 3 s ahead', { a: 0, b: 0, c: 0, d: 3000 }],
    ['spread over the whole 5 s tolerance', { a: -2000, b: 0, c: 3000, d: 1000 }],
  ])(
    '%s: no key outside the schedule, no sign error, every key published a cache lifetime before it signs',
    async (_name, offsets) => {
      const f = await run(offsets);
      expect(fleetViolations(f.log, FAST_SETTINGS, faults())).toEqual([]);
      expect(generations(f)).toEqual([]);
      expect(f.skews).toEqual([]);
      // Every rotation happened: the boot key and one key per boundary crossed signed.
      const signed = new Set(
        f.log.samples.flatMap((s) => (s.signed && 'kid' in s.signed ? [s.signed.kid] : [])),
      );
      expect(signed.size).toBe(ROTATIONS + 2);
    },
    30_000,
  );
});

describe('a clock beyond clockTolerance', () => {
  it.each([
    ['8 s ahead', 8000],
    ['8 s behind', -8000],
    ['15 s ahead', 15_000],
    ['15 s behind', -15_000],
  ])(
    '%s: reported as clock skew, no key minted, the other instances sign and verify undisturbed',
    async (_name, offset) => {
      const f = await run({ a: 0, b: 0, c: 0, d: offset });
      expect(fleetViolations(f.log, FAST_SETTINGS, faults(['d']))).toEqual([]);
      expect(generations(f)).toEqual([]);
      // Whoever reads a record the other side wrote reports it: the instances in step see the skewed
      // one's records (or their own keys stripped early), the skewed one theirs.
      expect(f.skews.length).toBeGreaterThan(0);
      for (const skew of f.skews) {
        expect(skew.aheadBy).toBeGreaterThan(5000);
        expect(skew.aheadBy).toBeLessThanOrEqual(Math.abs(offset));
        expect(skew.clockTolerance).toBe(5000);
        expect(skew.instance === 'd').toBe(offset < 0);
      }
    },
    30_000,
  );
});

describe('two algorithms on one store', () => {
  it('each rotates on its own chain; every token of either verifies on every instance', async () => {
    fleet = new SkewedFleet(
      keyvKeyStore(),
      T0,
      { a: 0, b: 3000, c: -1000, d: 1000 },
      { kek: KEK },
      { b: 'EdDSA', d: 'EdDSA' },
    );
    await fleet.runUntil((BOOT_SLOT + 6) * PERIOD + 30_000);
    expect(fleetViolations(fleet.log, FAST_SETTINGS, faults())).toEqual([]);
    expect(generations(fleet)).toEqual([]);
    const ids = [...fleet.log.records.keys()];
    expect(ids.filter((id) => id.startsWith('slot:ES256:'))).toHaveLength(8);
    expect(ids.filter((id) => id.startsWith('slot:EdDSA:'))).toHaveLength(8);
    for (const m of fleet.members) {
      const active = m.ring.keys().filter((k) => k.state === 'active');
      expect(active.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA']);
    }
  }, 30_000);
});
