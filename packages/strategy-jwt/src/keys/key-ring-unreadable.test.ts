import { afterEach, describe, expect, it } from 'vitest';
import { deriveKek, type KekSpec } from './key-encryption-key.ts';
import type { IntegrityFailure } from './key-ring-events.ts';
import { createKeyRing, type KeyRing } from './key-ring.ts';
import type { KeyRecord } from './key-record.ts';
import { slotDates } from './key-schedule.ts';
import { sealRecord } from './record-seal.ts';
import { generateSigningKeyPair } from './signing-key-pair.ts';
import { keyvKeyStore } from './stores/keyv-key-store.ts';
import type { KeyStore } from './stores/key-store.ts';
import { KEK, clock } from './test-ring-support.ts';
import { FAST_SCHEDULE } from './test-skewed-fleet.ts';

// Invariant 3: one unreadable record (a KEK typo on one instance, a flipped byte, a planted value) never
// stops the fleet from signing. It is ignored and reported, and the slot's chain is extended past it.
const S = 1000;
const SLOT = 30_000_000;
const START = SLOT * 60 * S;
const NEXT = START + 60 * S;
const OLD: KekSpec = { id: 'old', secret: KEK.secret };
const NEW: KekSpec = { id: 'new', secret: 'the-new-key-encryption-secret-0123456789' };
const TYPO: KekSpec = { id: 'old', secret: 'a-typo-in-the-deploy-of-one-instance-0123' };

const rings: KeyRing[] = [];
afterEach(async () => {
  await Promise.all(rings.splice(0).map((r) => r.stop()));
});

function ring(store: KeyStore, now: () => number, kek: KekSpec | KekSpec[] = OLD): KeyRing {
  const created = createKeyRing({ ...FAST_SCHEDULE, kek, store, now });
  rings.push(created);
  return created;
}

/** A record as an instance with `kek` would create it for `slot` at `now`. */
async function foreignRecord(id: string, slot: number, now: number, kek: KekSpec): Promise<string> {
  const pair = await generateSigningKeyPair('ES256', 2048);
  const fields = { ...slotDates(slot, now, ringSettings()), id, kid: pair.kid, alg: 'ES256' as const };
  return JSON.stringify(
    sealRecord({ ...fields, publicJwk: pair.publicJwk }, pair.privateKey, deriveKek(kek, 'kek'), {
      namespace: 'keys',
    }),
  );
}

function ringSettings() {
  return createKeyRing({ ...FAST_SCHEDULE, kek: OLD }).settings;
}

const ids = async (store: KeyStore) => (await store.list()).map((e) => e.id).sort();

describe('an unreadable record never stops issuance', () => {
  it('a next-slot record sealed under a wrong KEK (one instance won the race): the chain goes on past it, pre-published', async () => {
    const c = clock(START - 50 * S);
    const store = keyvKeyStore();
    const failures: IntegrityFailure[] = [];
    const r = ring(store, c.now);
    r.onIntegrityFailure((f) => failures.push(f));
    await r.start(); // the fleet runs: slot SLOT - 1 signs, slot SLOT is scheduled
    c.set(START + 1 * S);
    await store.createIfAbsent(
      `slot:ES256:${SLOT + 1}`,
      await foreignRecord(`slot:ES256:${SLOT + 1}`, SLOT + 1, c.now(), TYPO),
    );
    await r.refresh();
    expect(failures).toEqual([{ id: `slot:ES256:${SLOT + 1}`, reason: 'bad-mac' }]);
    const successor = r.keys().find((k) => k.id === `slot:ES256:${SLOT + 1}.1`)!;
    expect(successor).toMatchObject({ publishAt: NEXT - 25 * S, activateAt: NEXT, state: 'scheduled' });
    c.set(NEXT);
    await r.refresh();
    expect((await r.getSigningKey()).kid).toBe(successor.kid);
    await r.refresh();
    expect(failures).toHaveLength(1); // reported once
    expect(await ids(store)).toEqual([
      `slot:ES256:${SLOT}`,
      `slot:ES256:${SLOT + 1}`,
      `slot:ES256:${SLOT + 1}.1`,
      `slot:ES256:${SLOT + 2}`,
    ]);
  });

  it('retired readable records are still deleted on schedule around an unreadable one', async () => {
    const c = clock(START + 10 * S);
    const store = keyvKeyStore();
    const r = ring(store, c.now);
    await r.start();
    await store.createIfAbsent(
      'slot:ES256:29999999',
      await foreignRecord('slot:ES256:29999999', SLOT - 1, START - 70 * S, TYPO),
    );
    const first = r.keys().find((k) => k.id === `slot:ES256:${SLOT}`)!;
    c.set(first.retireAt + 5 * S);
    await r.refresh();
    expect(await ids(store)).not.toContain(`slot:ES256:${SLOT}`);
    expect(await ids(store)).toContain('slot:ES256:29999999'); // only an operator removes what no KEK opens
  });

  it('two instances, one of them holding a KEK the other lacks (the rotation done in the wrong order): one extra key, then both sign with it', async () => {
    const c = clock(START - 50 * S);
    const store = keyvKeyStore();
    const switched = ring(store, c.now, [NEW, OLD]); // seals under NEW, which `behind` cannot open
    const behind = ring(store, c.now, OLD);
    await behind.start(); // slots SLOT - 1 and SLOT, under OLD
    c.set(START + 1 * S);
    await switched.start(); // the next slot's key, under NEW
    expect(switched.keys().find((k) => k.id === `slot:ES256:${SLOT + 1}`)).toMatchObject({ kekId: 'new' });
    await behind.refresh(); // cannot open it: supersedes it, under OLD, pre-published all the same
    const successor = behind.keys().find((k) => k.id === `slot:ES256:${SLOT + 1}.1`)!;
    expect(successor).toMatchObject({ kekId: 'old', publishAt: NEXT - 25 * S });
    c.set(NEXT);
    await Promise.all([switched.refresh(), behind.refresh()]);
    // `switched` reads both and signs with the later generation, the one `behind` can read.
    expect((await switched.getSigningKey()).kid).toBe(successor.kid);
    expect((await behind.getSigningKey()).kid).toBe(successor.kid);
    await Promise.all([switched.refresh(), behind.refresh()]);
    expect((await ids(store)).filter((id) => id.startsWith(`slot:ES256:${SLOT + 1}`))).toHaveLength(2);
  });

  it('a flipped byte in the signing record: both instances sign with the one replacement at their next refresh', async () => {
    const c = clock(START + 10 * S);
    const store = keyvKeyStore();
    const [a, b] = [ring(store, c.now), ring(store, c.now)];
    await Promise.all([a.start(), b.start()]);
    const id = `slot:ES256:${SLOT}`;
    const record = JSON.parse((await store.get(id))!) as KeyRecord;
    const mac = Buffer.from(record.mac, 'base64url');
    mac[0]! ^= 1;
    await store.update(id, JSON.stringify({ ...record, mac: mac.toString('base64url') }));
    c.advance(1 * S);
    await a.refresh();
    const replacement = (await a.getSigningKey()).kid;
    expect(replacement).not.toBe(record.kid);
    expect(a.keys().find((k) => k.kid === replacement)).toMatchObject({ id: `${id}.1`, state: 'active' });
    await b.refresh();
    expect((await b.getSigningKey()).kid).toBe(replacement);
    expect(b.resolve({ alg: 'ES256', kid: record.kid })).toBeUndefined(); // fails closed on the tampered key
  });
});
