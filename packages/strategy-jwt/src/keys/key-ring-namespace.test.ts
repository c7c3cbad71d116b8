import { readFileSync } from 'node:fs';
import Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyRing, type KeyRing } from './key-ring.ts';
import type { KeyRingOptions } from './key-ring-options.ts';
import type { IntegrityFailure } from './key-ring-events.ts';
import { keyvKeyStore } from './stores/keyv-key-store.ts';
import type { KeyStore } from './stores/key-store.ts';
import { rewrapKeyStore } from './rewrap.ts';
import { KEK, clock, signToken, verifyToken, DAY } from './test-ring-support.ts';

// Each record is bound to its ring's namespace in its MAC and GCM associated data: a record copied into
// another ring that shares the KEK does not open there. Records written before the binding (format
// version 1, `test-v1-records.json`, written by the previous release) keep opening, until upgraded.

const V1: { T0: number; entries: Array<{ id: string; value: string }> } = JSON.parse(
  readFileSync(new URL('./test-v1-records.json', import.meta.url), 'utf8'),
);
const T0 = V1.T0;
const CURRENT = 'slot:ES256:20000';

const rings: KeyRing[] = [];
afterEach(async () => {
  await Promise.all(rings.splice(0).map((r) => r.stop()));
});

function ring(store: KeyStore, options: Partial<KeyRingOptions> = {}): KeyRing {
  const created = createKeyRing({ kek: KEK, store, now: clock(T0).now, ...options });
  rings.push(created);
  return created;
}

async function v1Store(namespace = 'keys'): Promise<KeyStore> {
  const store = keyvKeyStore({ keyv: new Keyv(), namespace });
  for (const { id, value } of V1.entries) await store.createIfAbsent(id, value);
  return store;
}

describe('records are bound to their namespace', () => {
  it("a record copied into another ring's namespace (same KEK) does not open there", async () => {
    const a = ring(keyvKeyStore({ keyv: new Keyv(), namespace: 'billing' }));
    const bStore = keyvKeyStore({ keyv: new Keyv(), namespace: 'admin' });
    const failures: IntegrityFailure[] = [];
    const b = ring(bStore, { onIntegrityFailure: (f) => failures.push(f) });
    await Promise.all([a.start(), b.start()]);
    const aKey = await a.getSigningKey();
    // Whoever can write B's store overwrites B's signing record with A's (a valid record, same KEK).
    const copied = (await a.store.get(CURRENT))!;
    expect(await bStore.update(CURRENT, copied)).toBe(true);
    await b.refresh();
    expect(failures).toEqual([{ id: CURRENT, reason: 'bad-mac' }]);
    expect(b.resolve({ alg: 'ES256', kid: aKey.kid! })).toBeUndefined();
    expect(b.jwks().keys.map((k) => k.kid)).not.toContain(aKey.kid);
    // B never signs with A's key: tokens of one ring cannot be minted by the other. The refused record is
    // treated as compromised and superseded by the chain's next generation.
    const bKey = await b.getSigningKey();
    expect(bKey.kid).not.toBe(aKey.kid);
    expect(b.keys().find((k) => k.kid === bKey.kid)).toMatchObject({ id: `${CURRENT}.1`, state: 'active' });
    const token = await signToken(a, T0, DAY);
    await expect(verifyToken(b, token, T0)).rejects.toBeDefined();
  });

  it('the namespace of every built-in store is what its records are bound to', () => {
    expect(keyvKeyStore().namespace).toBe('keys');
    expect(keyvKeyStore({ namespace: 'api' }).namespace).toBe('api');
    // A store of another author without one binds to the default.
    const bare: KeyStore = { ...keyvKeyStore() };
    delete (bare as { namespace?: string }).namespace;
    expect(() => ring(bare)).not.toThrow();
  });
});

describe('records written before the binding (format version 1)', () => {
  it('still open, sign and verify: nothing stored is lost', async () => {
    const r = ring(await v1Store());
    await r.start();
    const kid = JSON.parse(V1.entries[0]!.value).kid as string;
    expect((await r.getSigningKey()).kid).toBe(kid);
    await expect(verifyToken(r, await signToken(r, T0, DAY), T0)).resolves.toBeDefined();
  });

  it('keep their format when the ring re-seals them (a revocation), so older instances still read them', async () => {
    const store = await v1Store();
    const r = ring(store);
    await r.start();
    await r.revoke((await r.getSigningKey()).kid!);
    expect(JSON.parse((await store.get(CURRENT))!)).toMatchObject({ v: 1 });
    expect(r.keys().find((k) => k.id === CURRENT)).toMatchObject({ state: 'revoked' });
    // The replacement is a new record: bound.
    expect(JSON.parse((await store.get(`${CURRENT}.1`))!)).toMatchObject({ v: 2 });
  });

  it('upgrade path: rewrap() binds them, then legacyRecords: refuse closes the door on unbound copies', async () => {
    const store = await v1Store();
    const r = ring(store);
    await r.start();
    expect(await r.rewrap()).toEqual({ rewrapped: 2, unchanged: 0, failed: [] });
    for (const { value } of await store.list()) expect(JSON.parse(value).v).toBe(2);
    expect(await r.rewrap()).toEqual({ rewrapped: 0, unchanged: 2, failed: [] });

    const strict = ring(store, { legacyRecords: 'refuse' });
    await strict.start();
    expect((await strict.getSigningKey()).kid).toBe((await r.getSigningKey()).kid);
    // An unbound copy (say from a backup of another ring) planted afterwards is refused.
    const failures: IntegrityFailure[] = [];
    strict.onIntegrityFailure((f) => failures.push(f));
    await store.createIfAbsent('slot:ES256:19999', V1.entries[0]!.value.replace(CURRENT, 'slot:ES256:19999'));
    await strict.refresh();
    expect(failures).toEqual([{ id: 'slot:ES256:19999', reason: 'unbound' }]);
  });

  it('rewrapKeyStore (org-keys rewrap) upgrades them too, bound to the store namespace', async () => {
    const store = await v1Store('api');
    expect(await rewrapKeyStore(store, { from: KEK, to: KEK })).toMatchObject({ rewrapped: 2 });
    const r = ring(store, { legacyRecords: 'refuse' });
    await r.start();
    expect(r.keys()).toHaveLength(2);
    // Bound to 'api': the same records under another namespace do not open.
    const elsewhere = keyvKeyStore({ keyv: new Keyv(), namespace: 'web' });
    for (const { id, value } of await store.list()) await elsewhere.createIfAbsent(id, value);
    const other = ring(elsewhere);
    const failures: IntegrityFailure[] = [];
    other.onIntegrityFailure((f) => failures.push(f));
    // A ring that opens none of them refuses to start and writes nothing.
    await expect(other.refresh()).rejects.toMatchObject({
      reason: 'invalid-configuration',
      message: expect.stringContaining('or they belong to another namespace'),
    });
    expect(failures.map((f) => f.reason)).toEqual(['bad-mac', 'bad-mac']);
    expect(await elsewhere.list()).toHaveLength(2);
  });

  it('refuses an unknown legacyRecords value', () => {
    expect(() => createKeyRing({ kek: KEK, legacyRecords: 'maybe' as never })).toThrow(
      "'keyRing.legacyRecords' must be 'accept' or 'refuse'",
    );
  });
});
