import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clockSkewEvidence } from './clock-skew.ts';
import { keyState, type KeyRecord } from './key-record.ts';
import { resolveKeyRingSettings } from './key-ring-options.ts';
import { planMaintenance } from './key-ring-maintenance.ts';
import type { LoadedKey } from './key-ring-snapshot.ts';
import { nextInChain, settledAfter, slotDates, slotId } from './key-schedule.ts';
import { fallbackSigner, signsBefore } from './signing-choice.ts';
import { KEK } from './test-ring-support.ts';

// The schedule arithmetic at slot boundaries, for clocks that differ by up to clockTolerance and beyond:
// the operator settings (60 s rotation, 20 s pre-publication, 5 s tolerance).
const settings = resolveKeyRingSettings({
  kek: KEK,
  rotationPeriod: 60,
  prePublication: 20,
  cacheLifetime: 20,
  clockTolerance: 5,
  maxTokenLifetime: 10,
});
const S = 1000;
const SLOT = 1_000_000;
const START = SLOT * 60 * S;
const NEXT = START + 60 * S;
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

/** A loaded key of `slot` with the dates the ring would give it when created at `createdAt`. */
function key(
  slot: number,
  createdAt: number,
  options: { generation?: number; stripped?: boolean; revokedAt?: number; privateKey?: KeyObject } = {},
): LoadedKey {
  const id = slotId('ES256', slot, options.generation ?? 0);
  const record = {
    v: 2,
    id,
    kid: `kid-${id}`,
    alg: 'ES256',
    publicJwk: {},
    ...slotDates(slot, createdAt, settings),
    kekId: 'k',
    mac: '',
    ...(options.revokedAt !== undefined && { revokedAt: options.revokedAt }),
    ...(!options.stripped && { privateKey: { iv: '', ct: '', tag: '' } }),
  } as KeyRecord;
  const held = options.privateKey ?? (options.stripped ? undefined : privateKey);
  return { id, value: id, record, publicKey: privateKey, ...(held && { privateKey: held }) };
}

const stateAt = (now: number) => (r: KeyRecord) => keyState(r, now);
const plan = (keys: LoadedKey[], now: number) =>
  planMaintenance(
    keys,
    keys.map((k) => k.id),
    now,
    settings,
    stateAt(now),
  );

describe('slot dates', () => {
  it('a key created ahead of its slot is published prePublication + clockTolerance before the slot starts', () => {
    expect(slotDates(SLOT + 1, START + 2 * S, settings)).toEqual({
      createdAt: START + 2 * S,
      publishAt: NEXT - 25 * S,
      activateAt: NEXT,
      deactivateAt: NEXT + 60 * S,
      retireAt: NEXT + 60 * S + settings.retention,
    });
    // Created late in the previous slot: published at once, as early as it can be.
    expect(slotDates(SLOT + 1, NEXT - 10 * S, settings)).toMatchObject({
      publishAt: NEXT - 10 * S,
      activateAt: NEXT,
    });
  });

  it('a key created inside its slot signs at once, dated clockTolerance back, never before its slot', () => {
    expect(slotDates(SLOT, START + 30 * S, settings)).toEqual({
      createdAt: START + 25 * S,
      publishAt: START + 25 * S,
      activateAt: START + 25 * S,
      deactivateAt: NEXT,
      retireAt: NEXT + settings.retention,
    });
    // Two seconds into the slot: published five seconds back (an instance 3 s behind publishes it), yet
    // activated at the slot start, where an instance behind uses it as soon as it is within the tolerance.
    expect(slotDates(SLOT, START + 2 * S, settings)).toMatchObject({
      createdAt: START - 3 * S,
      publishAt: START - 3 * S,
      activateAt: START,
    });
  });

  it('destructive writes wait for the tolerance after their date', () => {
    expect(settledAfter(NEXT, NEXT + 5 * S - 1, settings)).toBe(false);
    expect(settledAfter(NEXT, NEXT + 5 * S, settings)).toBe(true);
  });
});

describe('maintenance at a slot boundary, for clocks up to clockTolerance apart', () => {
  const current = key(SLOT, START - 50 * S);
  const next = key(SLOT + 1, START + 1 * S);

  it('keeps the private key of the key that stops signing until clockTolerance after the boundary', () => {
    for (const now of [NEXT, NEXT + 4999]) expect(plan([current, next], now).strip).toEqual([]);
    expect(plan([current, next], NEXT + 5 * S).strip).toEqual([current]);
  });

  it('deletes a retired record only clockTolerance after retireAt', () => {
    const retireAt = current.record.retireAt;
    expect(plan([current, next], retireAt + 4999).remove).toEqual([]);
    expect(plan([current, next], retireAt + 5 * S).remove).toEqual([current.id]);
  });

  it('an instance 3 s behind, still before the boundary, creates nothing: its key still signs', () => {
    expect(plan([current, next], NEXT - 3 * S)).toEqual({ create: [], strip: [], remove: [] });
  });

  it('an instance behind by more than the tolerance that finds its active key stripped mints nothing', () => {
    const stripped = key(SLOT, START - 50 * S, { stripped: true });
    expect(plan([stripped, next], NEXT - 8 * S).create).toEqual([]);
  });

  it('an instance whose clock is behind a key created to sign at once uses it instead of minting its own', () => {
    // Created by an instance 4 s ahead, 1 s into the slot: this clock is still 3 s before the slot start.
    const immediate = key(SLOT, START + 1 * S);
    expect(plan([immediate], START - 3 * S).create).toEqual([]);
    expect(fallbackSigner([immediate], START - 3 * S, stateAt(START - 3 * S), settings)).toBe(immediate);
    expect(fallbackSigner([immediate], START - 6 * S, stateAt(START - 6 * S), settings)).toBeUndefined();
  });

  it('a revoked or unreadable signing key is replaced at once by the next generation', () => {
    const revoked = key(SLOT, START - 50 * S, { revokedAt: START + 10 * S });
    expect(plan([revoked, next], START + 11 * S).create).toEqual([
      { id: `slot:ES256:${SLOT}.1`, slot: SLOT },
    ]);
    // The head of the chain is in the store but this instance cannot open it: superseded all the same.
    expect(nextInChain([current.id, next.id], 'ES256', SLOT)).toBe(`slot:ES256:${SLOT}.1`);
    expect(
      planMaintenance([next], [current.id, next.id], START + 11 * S, settings, stateAt(START + 11 * S))
        .create,
    ).toEqual([{ id: `slot:ES256:${SLOT}.1`, slot: SLOT }]);
    expect(
      planMaintenance(
        [next],
        [current.id, `${current.id}.1`, next.id],
        START + 11 * S,
        settings,
        stateAt(START + 11 * S),
      ).create,
    ).toEqual([{ id: `slot:ES256:${SLOT}.2`, slot: SLOT }]);
  });

  it('the latest generation signs when two of a slot are active (some instances cannot read the first)', () => {
    const replacement = key(SLOT, START + 20 * S, { generation: 1 });
    expect(signsBefore(replacement, current)).toBe(true);
    expect(signsBefore(current, replacement)).toBe(false);
  });
});

describe('clock skew evidence', () => {
  const now = START + 30 * S;

  it('reports nothing for records whose writers were within the tolerance', () => {
    const keys = [key(SLOT, START + 33 * S), key(SLOT + 1, now + 5 * S), key(SLOT - 1, START - 100 * S)];
    expect(clockSkewEvidence(keys, now, stateAt(now), settings.clockTolerance)).toEqual([]);
  });

  it('reads the writer clock from each record', () => {
    const created = key(SLOT + 1, now + 8 * S);
    const revoked = key(SLOT, START - 50 * S, { revokedAt: now + 9 * S });
    const stripped = { ...key(SLOT, START - 50 * S, { stripped: true }), id: slotId('ES256', SLOT, 1) };
    const activated = key(SLOT, now + 12 * S, { generation: 2 }); // signs at once, dated 5 s back
    const found = clockSkewEvidence([created, revoked, activated], now, stateAt(now), 5000);
    expect(found).toEqual([
      { id: created.id, evidence: 'created', aheadBy: 8000, clockTolerance: 5000 },
      { id: revoked.id, evidence: 'revoked', aheadBy: 9000, clockTolerance: 5000 },
      { id: activated.id, evidence: 'activated', aheadBy: 12_000, clockTolerance: 5000 },
    ]);
    // A key active on this clock (30 s before its end) stripped: its stripper's clock was past the end + 5 s.
    expect(clockSkewEvidence([stripped], now, stateAt(now), 5000)).toEqual([
      { id: stripped.id, evidence: 'stripped', aheadBy: 35_000, clockTolerance: 5000 },
    ]);
  });
});
