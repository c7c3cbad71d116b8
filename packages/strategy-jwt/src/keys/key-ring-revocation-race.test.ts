import { randomBytes } from 'node:crypto';
import Keyv from 'keyv';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Conflict } from '@org/core';
import type { KekSpec } from './key-encryption-key.ts';
import { createKeyRing, type KeyRing } from './key-ring.ts';
import type { KeyStore } from './stores/key-store.ts';
import { keyvKeyStore } from './stores/keyv-key-store.ts';
import { postgresKeyStore } from './stores/postgres-key-store.ts';
import { redisKeyStore } from './stores/redis-key-store.ts';
import { DAY, KEK, clock } from './test-ring-support.ts';

// Invariant 5 for keys: a revocation is stored or reported as failed, never lost to a concurrent write.
// A real second writer (another ring instance on its own store handle) changes the record in the window
// between the revoking instance's read (list) and its compare-and-set, on every shared store.

const PERIOD = 30 * DAY;
const T0 = 20_000 * PERIOD + 10 * DAY;
const BOUNDARY = 20_001 * PERIOD;
const OLD_KEK: KekSpec = { id: 'old', secret: KEK.secret };
const NEW_KEK: KekSpec = { id: 'new', secret: 'incident-response-kek-0123456789-abcdefghij' };
const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = randomBytes(4).toString('hex');
const table = `org_keys_revoke_${run}`;

interface Backend {
  name: string;
  /** A fresh namespace; every call of `open()` is a separate handle (connection) on it. */
  namespace(): { open(): KeyStore };
}

const BACKENDS: Backend[] = [
  {
    name: 'memory',
    namespace: () => {
      const keyv = new Keyv();
      return { open: () => keyvKeyStore({ keyv }) };
    },
  },
  {
    name: 'redis',
    namespace: () => {
      const namespace = `revoke_${run}_${randomBytes(3).toString('hex')}`;
      return { open: () => redisKeyStore({ url: process.env.REDIS_URL, namespace }) };
    },
  },
  {
    name: 'postgres',
    namespace: () => {
      const namespace = `revoke_${randomBytes(3).toString('hex')}`;
      return { open: () => postgresKeyStore({ connectionString, table, namespace }) };
    },
  },
];

const rings: KeyRing[] = [];
const stores: KeyStore[] = [];
afterEach(async () => {
  await Promise.all(rings.splice(0).map((r) => r.stop()));
  const used = stores.splice(0);
  const first = used[0];
  if (first) for (const { id } of await first.list().catch(() => [])) await first.delete(id);
  await Promise.all(used.map((s) => s.close()));
});
afterAll(async () => {
  const client = new pg.Client({ connectionString });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS "${table}"`);
  await client.end();
});

/**
 * A store handle that runs `writer` once, right before the first compare-and-set of record `id`: the
 * revoking instance has read the record, and another instance writes it before the revocation lands.
 */
function withWriterBeforeUpdate(store: KeyStore, id: () => string, writer: () => Promise<unknown>): KeyStore {
  let done = false;
  return {
    ...store,
    get: (i) => store.get(i),
    list: () => store.list(),
    createIfAbsent: (i, v) => store.createIfAbsent(i, v),
    delete: (i) => store.delete(i),
    close: () => store.close(),
    async update(i, value, expected) {
      if (!done && expected !== undefined && i === id()) {
        done = true;
        await writer();
      }
      return store.update(i, value, expected);
    },
  };
}

type Scenario = {
  name: string;
  /** KEKs of the instance(s) that seed the store. */
  seed: KekSpec[];
  /** KEKs of every instance during the race. */
  keks: KekSpec[];
  /** Moves the clock before the revocation; returns the record id to revoke. */
  prepare(c: ReturnType<typeof clock>, a: KeyRing): string;
  /** What the other instance does in the window. */
  write(b: KeyRing): Promise<unknown>;
};

const SCENARIOS: Scenario[] = [
  {
    name: "another instance's rotate() shortens the key",
    seed: [OLD_KEK],
    keks: [OLD_KEK],
    prepare: () => 'slot:ES256:20000',
    write: (b) => b.rotate(),
  },
  {
    name: 'a rewrap() under a new KEK during incident response',
    seed: [OLD_KEK],
    keks: [NEW_KEK, OLD_KEK],
    prepare: () => 'slot:ES256:20000',
    write: (b) => b.rewrap(),
  },
  {
    name: 'the strip of a retiring key',
    seed: [OLD_KEK],
    keks: [OLD_KEK],
    prepare: (c) => {
      c.set(BOUNDARY + 1000); // slot 20000's key now retires; its private key is still stored
      return 'slot:ES256:20000';
    },
    write: (b) => b.refresh(),
  },
];

describe.each(BACKENDS)('revoke() under a concurrent writer: $name store', (backend) => {
  function ring(
    ns: { open(): KeyStore },
    kek: KekSpec[],
    now: () => number,
    wrap?: (s: KeyStore) => KeyStore,
  ) {
    const store = ns.open();
    stores.push(store);
    const created = createKeyRing({ kek, store: wrap ? wrap(store) : store, now });
    rings.push(created);
    return created;
  }

  it.each(SCENARIOS)('$name: the store shows the revocation on every instance', async (scenario) => {
    const c = clock(T0);
    const ns = backend.namespace();
    await ring(ns, scenario.seed, c.now).start();
    let target = '';
    const b = ring(ns, scenario.keks, c.now);
    const a = ring(ns, scenario.keks, c.now, (s) =>
      withWriterBeforeUpdate(
        s,
        () => target,
        () => scenario.write(b),
      ),
    );
    await Promise.all([a.start(), b.start()]);
    target = scenario.prepare(c, a);
    const kid = a.keys().find((k) => k.id === target)!.kid;

    await a.revoke(kid);
    await a.refresh(); // the revoking instance's own maintenance must not erase it either

    // An instance started afterwards (reading only the store) neither publishes nor accepts the key.
    const later = ring(ns, scenario.keks, c.now);
    await later.start();
    expect(later.keys().find((k) => k.kid === kid)).toMatchObject({ state: 'revoked', hasPrivateKey: false });
    expect(later.jwks().keys.map((k) => k.kid)).not.toContain(kid);
    expect(later.resolve({ alg: 'ES256', kid })).toBeUndefined();
    await b.refresh();
    expect(b.resolve({ alg: 'ES256', kid })).toBeUndefined();
    expect((await b.getSigningKey()).kid).not.toBe(kid);
  });
});

describe('revoke() that cannot be stored fails', () => {
  it('a record rewrapped under a KEK the revoking instance lacks: Conflict, and nothing reports success', async () => {
    const c = clock(T0);
    const ns = BACKENDS[0]!.namespace();
    const seedStore = ns.open();
    await createKeyRing({ kek: OLD_KEK, store: seedStore, now: c.now }).start();
    const rewrapper = createKeyRing({ kek: [NEW_KEK, OLD_KEK], store: ns.open(), now: c.now });
    await rewrapper.start();
    const a = createKeyRing({
      kek: OLD_KEK,
      store: withWriterBeforeUpdate(
        ns.open(),
        () => 'slot:ES256:20000',
        () => rewrapper.rewrap(),
      ),
      now: c.now,
    });
    await a.start();
    const kid = a.keys().find((k) => k.id === 'slot:ES256:20000')!.kid;
    const error = await a.revoke(kid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Conflict);
    expect(error).toMatchObject({
      reason: 'conflict',
      code: 409,
      message:
        'Key revocation not stored: record slot:ES256:20000 was rewritten in a form this instance cannot open (unknown-kek)',
    });
    await Promise.all([a.stop(), rewrapper.stop()]);
  });

  it('a record that changes on every attempt: Conflict after a bounded number of reads', async () => {
    const c = clock(T0);
    const store = keyvKeyStore();
    const seed = createKeyRing({ kek: OLD_KEK, store, now: c.now });
    await seed.start();
    let updates = 0;
    const losing: KeyStore = {
      ...store,
      update: async () => (updates++, false), // every compare-and-set loses to some other writer
    };
    const a = createKeyRing({ kek: OLD_KEK, store: losing, now: c.now });
    await a.start();
    const kid = (await a.getSigningKey()).kid!;
    await expect(a.revoke(kid)).rejects.toMatchObject({
      reason: 'conflict',
      message: expect.stringMatching(/^Key revocation not stored: record slot:ES256:20000 changed 8 times/),
    });
    expect(updates).toBe(8);
    // Not marked revoked locally either: the caller learns it failed, and this instance keeps serving
    // what the store says until someone revokes it for real.
    expect(a.keys().find((k) => k.kid === kid)?.state).toBe('active');
    await Promise.all([a.stop(), seed.stop()]);
  });
});

describe('maintenance never erases a revocation this instance knows of', () => {
  it('a record put back without revokedAt (and with its private key) is re-sealed revoked, not merely stripped', async () => {
    const c = clock(T0);
    const store = keyvKeyStore();
    const a = createKeyRing({ kek: OLD_KEK, store, now: c.now });
    await a.start();
    const before = (await store.get('slot:ES256:20000'))!;
    const kid = (await a.getSigningKey()).kid!;
    await a.revoke(kid);
    // Another writer puts the pre-revocation record back (a lost race, or a restore from a backup).
    const current = (await store.get('slot:ES256:20000'))!;
    expect(await store.update('slot:ES256:20000', before, current)).toBe(true);
    await a.refresh();
    const later = createKeyRing({ kek: OLD_KEK, store, now: c.now });
    await later.start();
    expect(later.keys().find((k) => k.kid === kid)).toMatchObject({
      state: 'revoked',
      revokedAt: T0,
      hasPrivateKey: false,
    });
    await Promise.all([a.stop(), later.stop()]);
  });
});
