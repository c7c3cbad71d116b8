import Keyv from 'keyv';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deriveKek, type Kek } from './key-encryption-key.ts';
import { createKeyRing, type KeyRing } from './key-ring.ts';
import { canonicalJson, type KeyRecord } from './key-record.ts';
import { keyvKeyStore } from './stores/keyv-key-store.ts';
import type { KeyStore } from './stores/key-store.ts';
import type { IntegrityFailure } from './key-ring-events.ts';
import { openRecord, sealRecord } from './record-seal.ts';
import { describeKeyPair } from './signing-key-pair.ts';
import { DAY, KEK, clock, signToken, verifyToken } from './test-ring-support.ts';

const PERIOD = 30 * DAY;
const T0 = 20_000 * PERIOD + 10 * DAY;
const CURRENT = 'slot:ES256:20000';
const NEXT = 'slot:ES256:20001';

// Whoever can write to the store (Redis, Postgres) but does not hold the KEK secret.
let store: KeyStore;
let ring: KeyRing;
let failures: IntegrityFailure[];
const c = clock(T0);
const read = async (id: string): Promise<KeyRecord> => JSON.parse((await store.get(id))!);
const write = (id: string, record: unknown) =>
  store.update(id, typeof record === 'string' ? record : JSON.stringify(record));

beforeEach(async () => {
  c.set(T0);
  store = keyvKeyStore({ keyv: new Keyv() });
  failures = [];
  ring = createKeyRing({ kek: KEK, store, now: c.now, onIntegrityFailure: (f) => failures.push(f) });
  await ring.start();
});
afterEach(() => ring.stop());

async function expectRefused(id: string, reason: IntegrityFailure['reason'], kid: string): Promise<void> {
  await ring.refresh();
  expect(failures).toEqual([{ id, reason }]);
  expect(ring.jwks().keys.map((k) => k.kid)).not.toContain(kid);
  expect(ring.resolve({ alg: 'ES256', kid })).toBeUndefined();
  expect(ring.keys().map((k) => k.id)).not.toContain(id);
  await ring.refresh();
  expect(failures).toHaveLength(1); // reported once per distinct value, not on every read
}

describe('KeyRing refuses tampered store records', () => {
  it('a swapped public key (an attacker key published under the record)', async () => {
    const record = await read(CURRENT);
    const attacker = describeKeyPair(
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey,
      'ES256',
    )!;
    await write(CURRENT, { ...record, publicJwk: attacker.publicJwk, kid: attacker.kid });
    await expectRefused(CURRENT, 'bad-mac', attacker.kid);
    // The tampered record is never used: it is treated as compromised and superseded by the chain's next
    // generation, which signs at once (one writer of one byte cannot stop issuance).
    const signing = await ring.getSigningKey();
    expect(signing.kid).not.toBe(attacker.kid);
    expect(signing.kid).not.toBe(record.kid);
    expect(ring.keys().find((k) => k.kid === signing.kid)).toMatchObject({
      id: `${CURRENT}.1`,
      state: 'active',
    });
    expect((await store.list()).map((e) => e.id).sort()).toEqual([CURRENT, `${CURRENT}.1`, NEXT]);
  });

  it('a ciphertext moved from another record', async () => {
    const [current, next] = [await read(CURRENT), await read(NEXT)];
    await write(CURRENT, { ...current, privateKey: next.privateKey });
    await expectRefused(CURRENT, 'bad-mac', current.kid);
  });

  it('a flipped byte in the ciphertext, the tag or the MAC', async () => {
    const record = await read(NEXT);
    const ct = Buffer.from(record.privateKey!.ct, 'base64url');
    ct[5]! ^= 1;
    await write(NEXT, { ...record, privateKey: { ...record.privateKey!, ct: ct.toString('base64url') } });
    await expectRefused(NEXT, 'bad-mac', record.kid);
    const raw = JSON.stringify(record);
    const flipped = raw.replace(/"mac":"(.)/, (_, ch: string) => `"mac":"${ch === 'A' ? 'B' : 'A'}`);
    await write(NEXT, flipped);
    await ring.refresh();
    expect(failures.at(-1)).toEqual({ id: NEXT, reason: 'bad-mac' });
  });

  it('extended dates', async () => {
    const record = await read(CURRENT);
    await write(CURRENT, {
      ...record,
      deactivateAt: record.deactivateAt + 365 * DAY,
      retireAt: record.retireAt + 365 * DAY,
    });
    await expectRefused(CURRENT, 'bad-mac', record.kid);
  });

  it('a valid record copied under another id', async () => {
    const value = (await store.get(NEXT))!;
    await store.createIfAbsent('slot:ES256:20002', value);
    await ring.refresh();
    expect(failures).toEqual([{ id: 'slot:ES256:20002', reason: 'bad-mac' }]);
    expect(
      ring
        .keys()
        .map((k) => k.id)
        .sort(),
    ).toEqual([CURRENT, NEXT]);
  });

  it.each([
    ['garbage', 'not json', 'malformed'],
    ['an unknown member', { extra: 1 }, 'malformed'],
    ['a KEK id nobody configured', { kekId: 'k-attacker' }, 'unknown-kek'],
    ['a MAC under a guessed secret', { mac: 'forged' }, 'bad-mac'],
  ] as const)('a planted record: %s', async (_name, change, reason) => {
    const attacker = describeKeyPair(
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey,
      'ES256',
    )!;
    const forged = sealRecord(
      {
        id: 'slot:ES256:19999',
        kid: attacker.kid,
        alg: 'ES256',
        publicJwk: attacker.publicJwk,
        createdAt: T0,
        publishAt: T0,
        activateAt: T0,
        deactivateAt: T0 + DAY,
        retireAt: T0 + 2 * DAY,
      },
      attacker.privateKey,
      deriveKek({ secret: 'attacker-secret-attacker-secret-attacker' }, 'x'),
      { namespace: 'keys' },
    );
    const value =
      typeof change === 'string' ? change : JSON.stringify({ ...forged, kekId: ring.kekId, ...change });
    await store.createIfAbsent('slot:ES256:19999', value);
    await expectRefused('slot:ES256:19999', reason, attacker.kid);
    const token = await signToken(ring, T0, DAY);
    await expect(verifyToken(ring, token, T0)).resolves.toBeDefined();
  });

  it('binds each ciphertext to its record with GCM associated data (a second line behind the MAC)', async () => {
    // Even with a valid MAC (which only a KEK holder can compute), a ciphertext only opens in its own record.
    const kek = deriveKek(KEK, 'x');
    const keks = new Map([[kek.id, kek]]);
    const binding = { namespace: 'keys', legacy: 'accept' } as const;
    const [current, next] = [await read(CURRENT), await read(NEXT)];
    expect(openRecord(JSON.stringify(withValidMac(current, kek)), keks, binding).ok).toBe(true);
    const moved = withValidMac({ ...current, privateKey: next.privateKey }, kek);
    expect(openRecord(JSON.stringify(moved), keks, binding)).toEqual({
      ok: false,
      reason: 'bad-private-key',
    });
    const extended = withValidMac(
      { ...current, deactivateAt: current.deactivateAt + DAY, retireAt: current.retireAt + DAY },
      kek,
    );
    expect(openRecord(JSON.stringify(extended), keks, binding)).toEqual({
      ok: false,
      reason: 'bad-private-key',
    });
    const tag = Buffer.from(current.privateKey!.tag, 'base64url');
    tag[0]! ^= 0x80;
    const badTag = withValidMac(
      { ...current, privateKey: { ...current.privateKey!, tag: tag.toString('base64url') } },
      kek,
    );
    expect(openRecord(JSON.stringify(badTag), keks, binding)).toEqual({
      ok: false,
      reason: 'bad-private-key',
    });
  });
});

/** Recomputes a record's MAC as the ring does: what only a holder of the KEK secret can do. */
function withValidMac(record: KeyRecord, kek: Kek): KeyRecord {
  const { mac: _mac, ...unsigned } = record;
  return {
    ...unsigned,
    mac: createHmac('sha256', kek.macKey)
      .update(canonicalJson({ ...unsigned, ns: 'keys' }))
      .digest('base64url'),
  };
}
