import { afterEach, describe, expect, it } from 'vitest';
import { createKeyRing, type KeyRing } from './key-ring.ts';
import { keyvKeyStore } from './stores/keyv-key-store.ts';
import { DAY, HOUR, KEK, MINUTE, clock, kidOf, signToken, verifyToken } from './test-ring-support.ts';

const PERIOD = 30 * DAY;
// 10 days into a slot, so the first key is a "late" (first boot) key and the next one is pre-scheduled.
const T0 = 20_000 * PERIOD + 10 * DAY;
const rings: KeyRing[] = [];
afterEach(async () => {
  await Promise.all(rings.splice(0).map((r) => r.stop()));
});

function ring(now: () => number, store = keyvKeyStore()): KeyRing {
  const created = createKeyRing({ kek: KEK, store, now });
  rings.push(created);
  return created;
}

describe('KeyRing rotation (fake clock, default settings)', () => {
  it('boots with an active key for the current slot and schedules the next one a lead ahead of its slot', async () => {
    const c = clock(T0);
    const r = ring(c.now);
    await r.start();
    const keys = r.keys().sort((a, b) => a.activateAt - b.activateAt);
    expect(keys.map((k) => [k.id, k.state])).toEqual([
      ['slot:ES256:20000', 'active'],
      ['slot:ES256:20001', 'scheduled'],
    ]);
    // The boot key signs at once, dated clockTolerance back; the next one is published
    // prePublication + clockTolerance ahead of its slot.
    expect(keys[0]).toMatchObject({
      publishAt: T0 - 5 * MINUTE,
      activateAt: T0 - 5 * MINUTE,
      deactivateAt: 20_001 * PERIOD,
      retireAt: 20_001 * PERIOD + DAY + 5 * MINUTE + DAY,
    });
    expect(keys[1]).toMatchObject({
      publishAt: 20_001 * PERIOD - DAY - 5 * MINUTE,
      activateAt: 20_001 * PERIOD,
      deactivateAt: 20_002 * PERIOD,
    });
    expect(r.jwks().keys.map((k) => k.kid)).toEqual([keys[0]!.kid]);
    expect((await r.getSigningKey()).kid).toBe(keys[0]!.kid);
    expect(r.nextChangeAt()).toBe(20_001 * PERIOD - DAY - 5 * MINUTE);
  });

  it('rotates through several periods: published a lead ahead, tokens verify until exp, gone after retention', async () => {
    const c = clock(T0);
    const r = ring(c.now);
    await r.start();
    const firstPublished = new Map<string, number>();
    const firstSigned = new Map<string, number>();
    const lastSigned = new Map<string, number>();
    const tokens: Array<{ token: string; kid: string; iat: number; exp: number }> = [];
    const step = 6 * HOUR;
    for (let t = T0; t < T0 + 4 * PERIOD; t = c.advance(step)) {
      await r.refresh();
      for (const k of r.jwks().keys) if (!firstPublished.has(k.kid!)) firstPublished.set(k.kid!, t);
      const signer = (await r.getSigningKey()).kid!;
      if (!firstSigned.has(signer)) firstSigned.set(signer, t);
      lastSigned.set(signer, t);
      // Invariant 3: after the first-boot key, every key is in the JWKS at least the lead before it signs.
      if (firstSigned.size > 1 && firstSigned.get(signer) === t) {
        expect(t - firstPublished.get(signer)!).toBeGreaterThanOrEqual(DAY);
      }
      const token = await signToken(r, t, DAY);
      tokens.push({ token, kid: signer, iat: t, exp: t + DAY });
      // Invariant 2: every token still inside exp + tolerance verifies.
      for (const live of tokens.filter((x) => x.exp + 5 * MINUTE > t)) {
        await expect(verifyToken(r, live.token, t)).resolves.toMatchObject({
          exp: Math.floor(live.exp / 1000),
        });
      }
      expect(r.keys().filter((k) => k.state === 'active')).toHaveLength(1);
    }
    expect(firstSigned.size).toBe(5); // the boot key + one per boundary crossed
    // Signing switched exactly at the slot boundaries (the step divides the period).
    const starts = [...firstSigned.values()];
    expect(starts.slice(1).map((at) => at % PERIOD)).toEqual([0, 0, 0, 0]);
    for (const [kid, at] of [...firstSigned].slice(1, -1))
      expect(lastSigned.get(kid)).toBe(at + PERIOD - step);
    // After retention the old kids are gone: their tokens fail at the key lookup even at a time inside exp.
    const now = c.now();
    const retiredAt = (kid: string) => lastSigned.get(kid)! + step + 2 * DAY + 5 * MINUTE;
    const gone = tokens.filter((x) => retiredAt(x.kid) <= now);
    expect(new Set(gone.map((x) => x.kid)).size).toBe(4); // all but the key signing now
    for (const { token, kid, iat } of gone) {
      expect(r.resolve({ alg: 'ES256', kid })).toBeUndefined();
      await expect(verifyToken(r, token, iat)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    }
    expect(r.keys().filter((k) => k.state === 'retired')).toEqual([]); // retired records are deleted from the store
  }, 60_000);

  it('keeps a token signed just before its key stops signing valid until exp, within the tolerance', async () => {
    const c = clock(T0);
    const r = ring(c.now);
    await r.start();
    const boundary = 20_001 * PERIOD;
    c.set(boundary - 1);
    await r.refresh();
    const token = await signToken(r, c.now(), DAY);
    const oldKid = kidOf(token);
    c.set(boundary);
    await r.refresh();
    expect((await r.getSigningKey()).kid).not.toBe(oldKid);
    // An instance whose clock is behind still signs with it for up to clockTolerance.
    expect(r.keys().find((k) => k.kid === oldKid)).toMatchObject({ state: 'retiring', hasPrivateKey: true });
    c.set(boundary + 5 * MINUTE);
    await r.refresh();
    expect(r.keys().find((k) => k.kid === oldKid)).toMatchObject({ state: 'retiring', hasPrivateKey: false });
    c.set(boundary - 1 + DAY + 5 * MINUTE - 1000);
    await r.refresh();
    await expect(verifyToken(r, token, c.now())).resolves.toBeDefined();
    c.set(boundary + DAY + 5 * MINUTE + DAY); // the end of retention
    await r.refresh();
    expect(r.resolve({ alg: 'ES256', kid: oldKid })).toBeUndefined();
    expect(r.jwks().keys.map((k) => k.kid)).not.toContain(oldKid);
  });

  it('reports the next change and notifies on publication and retirement, not on activation', async () => {
    const c = clock(T0);
    const r = ring(c.now);
    await r.start();
    let changes = 0;
    r.onChange(() => changes++);
    const boundary = 20_001 * PERIOD;
    expect(r.nextChangeAt()).toBe(boundary - DAY - 5 * MINUTE);
    c.set(boundary - DAY - 5 * MINUTE);
    expect(r.jwks().keys).toHaveLength(2); // recomputed from the clock, no store read needed
    expect(changes).toBe(1);
    expect(r.nextChangeAt()).toBe(boundary);
    c.set(boundary);
    await r.refresh();
    expect(changes).toBe(1);
    expect(r.nextChangeAt()).toBe(boundary + 2 * DAY + 5 * MINUTE);
    c.set(boundary + 2 * DAY + 5 * MINUTE);
    await r.refresh();
    expect(r.jwks().keys).toHaveLength(1);
    expect(changes).toBe(2);
  });
});
