import { afterEach, describe, expect, it } from 'vitest';
import { createKeyRing, type KeyRing } from './key-ring.ts';
import { keyvKeyStore } from './stores/keyv-key-store.ts';
import { rewrapKeyStore } from './rewrap.ts';
import { DAY, KEK, clock, signToken, verifyToken } from './test-ring-support.ts';

const T0 = 20_000 * 30 * DAY + 10 * DAY;
const NEW_KEK = { id: 'kek-2026', secret: 'the-new-key-encryption-secret-0123456789' };
const rings: KeyRing[] = [];
afterEach(async () => {
  await Promise.all(rings.splice(0).map((r) => r.stop()));
});

describe('KEK rotation', () => {
  it('ring.rewrap moves every record to the first KEK; the old KEK can then be dropped', async () => {
    const c = clock(T0);
    const store = keyvKeyStore();
    const before = createKeyRing({ kek: KEK, store, now: c.now });
    rings.push(before);
    await before.start();
    const token = await signToken(before, T0, DAY);
    const both = createKeyRing({ kek: [NEW_KEK, KEK], store, now: c.now });
    rings.push(both);
    await both.start();
    expect(await both.rewrap()).toEqual({ rewrapped: 2, unchanged: 0, failed: [] });
    expect(both.keys().map((k) => k.kekId)).toEqual(['kek-2026', 'kek-2026']);
    const after = createKeyRing({ kek: NEW_KEK, store, now: c.now });
    rings.push(after);
    await after.start();
    expect((await after.getSigningKey()).kid).toBe((await before.getSigningKey()).kid);
    await expect(verifyToken(after, token, T0)).resolves.toBeDefined();
    expect(await both.rewrap()).toEqual({ rewrapped: 0, unchanged: 2, failed: [] });
  });

  it('rewrapKeyStore works without a ring and reports records it cannot read', async () => {
    const c = clock(T0);
    const store = keyvKeyStore();
    const ring = createKeyRing({ kek: KEK, store, now: c.now });
    rings.push(ring);
    await ring.start();
    await store.createIfAbsent('slot:ES256:1', '{"planted":true}');
    expect(await rewrapKeyStore(store, { from: KEK, to: NEW_KEK })).toEqual({
      rewrapped: 2,
      unchanged: 0,
      failed: [{ id: 'slot:ES256:1', reason: 'malformed' }],
    });
    await ring.refresh();
    expect(() => ring.getSigningKey()).toThrow(expect.objectContaining({ reason: 'unavailable' })); // old KEK only
  });
});
