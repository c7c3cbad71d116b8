import { calculateJwkThumbprint } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { BadRequest, NotFound, Unavailable } from '@org/core';
import { createKeyRing, KeyRing } from './key-ring.ts';
import type { KeyRingOptions } from './key-ring-options.ts';
import { keyvKeyStore } from './stores/keyv-key-store.ts';
import type { KeyStore } from './stores/key-store.ts';
import {
  DAY,
  HOUR,
  KEK,
  MINUTE,
  breakable,
  clock,
  kidOf,
  signToken,
  verifyToken,
} from './test-ring-support.ts';

const PERIOD = 30 * DAY;
const T0 = 20_000 * PERIOD + 10 * DAY;
const BOUNDARY = 20_001 * PERIOD;
const rings: KeyRing[] = [];
afterEach(async () => {
  await Promise.all(rings.splice(0).map((r) => r.stop()));
});

function ring(options: Partial<KeyRingOptions> & { now: () => number; store?: KeyStore }): KeyRing {
  const created = createKeyRing({ kek: KEK, ...options });
  rings.push(created);
  return created;
}

describe('KeyRing configuration', () => {
  it('documents its defaults', () => {
    expect(createKeyRing({ kek: KEK }).settings).toEqual({
      algorithm: 'ES256',
      rotationPeriod: 30 * DAY,
      prePublication: DAY,
      maxTokenLifetime: DAY,
      clockTolerance: 5 * MINUTE,
      cacheLifetime: DAY,
      retention: 2 * DAY + 5 * MINUTE,
      refreshInterval: MINUTE,
      unknownKidCooldown: 10_000,
      rsaModulusLength: 2048,
    });
  });

  it.each([
    [{ rotationPeriode: '30d' }, "Unknown option 'keyRing.rotationPeriode'; did you mean 'rotationPeriod'?"],
    [
      { algorithm: 'HS256' },
      "'keyRing.algorithm' must be an asymmetric JWS algorithm (ES256, EdDSA, RS256, PS256, ...), not 'HS256'",
    ],
    [
      { prePublication: '1h' },
      "'keyRing.prePublication' is shorter than 'keyRing.cacheLifetime': a cached JWKS would miss the next key when it starts signing",
    ],
    [
      { rotationPeriod: '1d', prePublication: '1d' },
      "'keyRing.prePublication' + 'keyRing.clockTolerance' must be shorter than 'keyRing.rotationPeriod': keys are published that long before their slot",
    ],
    [
      { rotationPeriod: '1d', prePublication: 86_280, cacheLifetime: '1h' },
      "'keyRing.prePublication' + 'keyRing.clockTolerance' must be shorter than 'keyRing.rotationPeriod'",
    ],
    [
      { retention: '1d' },
      "'keyRing.retention' is shorter than 'keyRing.maxTokenLifetime' + 'keyRing.clockTolerance': tokens would fail before they expire",
    ],
    [{ kek: { secret: 'short' } }, "'keyRing.kek.secret' is 5 bytes; at least 32 are required"],
    [
      { kek: { secret: 'this-is-a-very-long-secret-that-nobody-will-guess' } },
      "'keyRing.kek.secret' is a well-known example secret; generate a random one (e.g. 64 random bytes)",
    ],
    [
      { kek: [KEK, { secret: Buffer.alloc(32, 'x') }] },
      "'keyRing.kek[1].secret' repeats one character; generate a random secret",
    ],
    [
      { kek: undefined },
      "'keyRing.kek' is required: a secret of at least 32 bytes that encrypts private keys at rest",
    ],
    [{ kek: [KEK, KEK] }, /lists KEK id 'k-[\w-]{8}' twice/],
  ])('refuses %j at construction', (options, message) => {
    const create = () => createKeyRing({ kek: KEK, ...(options as object) } as KeyRingOptions);
    expect(create).toThrow(BadRequest);
    expect(create).toThrow(message);
    try {
      create();
    } catch (error) {
      expect((error as BadRequest).reason).toBe('invalid-configuration');
    }
  });
});

describe('KeyRing with every asymmetric algorithm', () => {
  it.each(['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS384'] as const)(
    '%s: signs, verifies, publishes the thumbprint kid',
    async (algorithm) => {
      const c = clock(T0);
      const r = ring({ now: c.now, algorithm });
      await r.start();
      const token = await signToken(r, T0, HOUR);
      await expect(verifyToken(r, token, T0)).resolves.toBeDefined();
      const [jwk] = r.jwks().keys;
      expect(jwk).toMatchObject({ alg: algorithm, use: 'sig', kid: kidOf(token) });
      expect(jwk!.kid).toBe(await calculateJwkThumbprint(jwk!, 'sha256'));
      expect(r.resolve({ alg: algorithm === 'ES256' ? 'ES384' : 'ES256', kid: jwk!.kid! })).toBeUndefined();
    },
    30_000,
  );
});

describe('KeyRing revocation and manual rotation', () => {
  it('revoke: the key leaves the JWKS at once, a replacement signs at once, on every instance', async () => {
    const c = clock(T0);
    const store = keyvKeyStore();
    const [a, b] = [ring({ now: c.now, store }), ring({ now: c.now, store })];
    await Promise.all([a.start(), b.start()]);
    const token = await signToken(a, T0, HOUR);
    const leaked = kidOf(token);
    await a.revoke(leaked);
    expect(a.jwks().keys.map((k) => k.kid)).not.toContain(leaked);
    await expect(verifyToken(a, token, T0)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    const replacement = (await a.getSigningKey()).kid;
    expect(replacement).not.toBe(leaked);
    // Dated clockTolerance back, so an instance whose clock is behind signs with it too.
    expect(a.keys().find((k) => k.kid === replacement)).toMatchObject({
      id: 'slot:ES256:20000.1',
      state: 'active',
      createdAt: T0 - 5 * MINUTE,
      publishAt: T0 - 5 * MINUTE,
      activateAt: T0 - 5 * MINUTE,
    });
    expect(a.keys().find((k) => k.kid === leaked)).toMatchObject({
      state: 'revoked',
      hasPrivateKey: false,
      revokedAt: T0,
    });
    await b.refresh();
    expect(b.resolve({ alg: 'ES256', kid: leaked })).toBeUndefined();
    expect((await b.getSigningKey()).kid).toBe(replacement);
    await expect(a.revoke('no-such-kid')).rejects.toThrow(NotFound);
  });

  it('revoking the pending next key schedules a replacement for the same slot', async () => {
    const c = clock(T0);
    const r = ring({ now: c.now });
    await r.start();
    const next = r.keys().find((k) => k.id === 'slot:ES256:20001')!;
    await r.revoke(next.kid);
    expect(r.keys().find((k) => k.id === 'slot:ES256:20001.1')).toMatchObject({
      activateAt: BOUNDARY,
      publishAt: BOUNDARY - DAY - 5 * MINUTE,
    });
  });

  it('rotate: the new key is published now, signs after the lead; the old one then retires on schedule', async () => {
    const c = clock(T0);
    const r = ring({ now: c.now });
    await r.start();
    const old = (await r.getSigningKey()).kid;
    const kid = await r.rotate();
    expect(r.jwks().keys.map((k) => k.kid)).toContain(kid);
    expect((await r.getSigningKey()).kid).toBe(old);
    c.set(T0 + DAY);
    await r.refresh();
    expect((await r.getSigningKey()).kid).toBe(old); // the lead is prePublication + clockTolerance
    c.set(T0 + DAY + 5 * MINUTE);
    await r.refresh();
    expect((await r.getSigningKey()).kid).toBe(kid);
    expect(r.keys().find((k) => k.kid === old)).toMatchObject({
      state: 'retiring',
      deactivateAt: T0 + DAY + 5 * MINUTE,
      retireAt: T0 + 3 * DAY + 10 * MINUTE,
    });
    expect(await r.rotate({ immediate: true })).toEqual(expect.any(String));
    c.set(BOUNDARY - HOUR); // the next slot's key takes over sooner than a lead away
    expect(await r.rotate()).toBeUndefined();
  });
});

describe('KeyRing across instances in one process', () => {
  it('concurrent first boots converge on one active key, read back from the store', async () => {
    const c = clock(T0);
    const store = keyvKeyStore();
    const instances = Array.from({ length: 5 }, () => ring({ now: c.now, store }));
    await Promise.all(instances.map((r) => r.start()));
    const kids = await Promise.all(instances.map(async (r) => (await r.getSigningKey()).kid));
    expect(new Set(kids).size).toBe(1);
    expect((await store.list()).map((e) => e.id).sort()).toEqual(['slot:ES256:20000', 'slot:ES256:20001']);
  });

  it('refuses to start, and never writes, with a KEK that opens none of the stored records', async () => {
    const c = clock(T0);
    const store = keyvKeyStore();
    const first = ring({ now: c.now, store, kek: { id: 'prod-2024', secret: KEK.secret } });
    await first.start();
    const before = await store.list();
    const stranger = ring({
      now: c.now,
      store,
      kek: [
        { id: 'typo', secret: 'another-secret-of-at-least-32-bytes!!' },
        { id: 'older', secret: 'yet-another-secret-of-at-least-32-bytes' },
      ],
    });
    const failures: string[] = [];
    stranger.onIntegrityFailure((f) => failures.push(`${f.id}:${f.reason}`));
    const error = await stranger.start().then(
      () => expect.unreachable('started'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({
      reason: 'invalid-configuration',
      code: 400,
      message:
        'KEK mismatch: none of the 2 records in the key store opens with the configured KEK id(s) typo, older; ' +
        "they were sealed under KEK id(s) prod-2024. Configure the deployment's KEK (to change it, add the new " +
        'one read-only first: see "Rotating the KEK" in the key rotation guide)',
      data: { storeKekIds: ['prod-2024'], configuredKekIds: ['typo', 'older'], records: 2 },
    });
    expect(failures.sort()).toEqual(['slot:ES256:20000:unknown-kek', 'slot:ES256:20001:unknown-kek']);
    await expect(stranger.refresh()).rejects.toMatchObject({ reason: 'invalid-configuration' });
    expect(() => stranger.getSigningKey()).toThrow(expect.objectContaining({ reason: 'unavailable' }));
    c.advance(40 * DAY); // the stranger's clock passes every date: still nothing written
    await expect(stranger.refresh()).rejects.toMatchObject({ reason: 'invalid-configuration' });
    expect(await store.list()).toEqual(before);
  });

  it('says the secret differs when the records name the configured KEK id', async () => {
    const store = keyvKeyStore();
    await ring({ now: clock(T0).now, store, kek: { id: 'main', secret: KEK.secret } }).start();
    const typo = ring({ now: clock(T0).now, store, kek: { id: 'main', secret: `${KEK.secret}!` } });
    await expect(typo.start()).rejects.toMatchObject({
      message: expect.stringContaining(
        'their KEK id(s) main are configured but the check fails: the secret differs from the one that sealed them',
      ),
      data: { storeKekIds: ['main'], configuredKekIds: ['main'] },
    });
  });
});

describe('KeyRing during a store outage', () => {
  it('serves the last good set, signs with the active key until it ends, then fails closed', async () => {
    const c = clock(T0);
    const store = breakable(keyvKeyStore());
    const r = ring({ now: c.now, store });
    await r.start();
    const active = (await r.getSigningKey()).kid;
    const token = await signToken(r, T0, HOUR);
    store.down = true;
    await expect(r.refresh()).rejects.toMatchObject({
      name: 'Unavailable',
      reason: 'store-unavailable',
      code: 503,
    });
    expect(r.storeAvailable).toBe(false);
    c.set(BOUNDARY - 1);
    expect((await r.getSigningKey()).kid).toBe(active);
    await expect(verifyToken(r, token, T0)).resolves.toBeDefined();
    expect(r.jwks().keys).toHaveLength(2);
    c.set(BOUNDARY);
    expect(() => r.getSigningKey()).toThrow(Unavailable);
    expect(() => r.getSigningKey()).toThrow(
      expect.objectContaining({ reason: 'store-unavailable', message: 'Key store unavailable' }),
    );
    await expect(verifyToken(r, token, T0)).resolves.toBeDefined(); // verification continues from memory
    store.down = false;
    await r.refresh();
    expect((await r.getSigningKey()).kid).not.toBe(active);
  });

  it('rejects start() when the store is down at boot', async () => {
    const store = breakable(keyvKeyStore());
    store.down = true;
    const r = ring({ now: clock(T0).now, store });
    await expect(r.start()).rejects.toMatchObject({ reason: 'store-unavailable' });
    expect(() => r.jwks()).not.toThrow();
    expect(r.jwks().keys).toEqual([]);
  });

  it('KeyRing.open reads the store; an unknown kid triggers one background re-read per cooldown', async () => {
    const c = clock(T0);
    const store = keyvKeyStore();
    const r = await KeyRing.open({ kek: KEK, store, now: c.now });
    rings.push(r);
    let reads = 0;
    const list = store.list.bind(store);
    store.list = () => (reads++, list());
    expect(r.resolve({ alg: 'ES256', kid: 'unknown' })).toBeUndefined();
    expect(r.resolve({ alg: 'ES256', kid: 'unknown' })).toBeUndefined();
    await r.refresh();
    expect(reads).toBe(1);
    expect(r.resolve({ alg: 'ES256' })).toBeUndefined(); // no kid, no key
  });
});
