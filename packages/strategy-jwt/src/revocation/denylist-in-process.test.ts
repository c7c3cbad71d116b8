import { Unavailable } from '@org/core';
import Keyv from 'keyv';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Bounded from './bounded-memory-store.ts';
import { BoundedMemoryStore } from './bounded-memory-store.ts';
import { createDenylist, type Denylist, type RevocablePayload } from './denylist.ts';
import { denylistKey } from './denylist-key.ts';

// Issue 11: the default denylist reads and writes its in-process store directly (no keyv, no timer). These
// tests hold it to the keyv path: same answers for the same operations, and the same entries in the store.
// The default store is recorded as it is constructed, to read it back through keyv.
const stores = vi.hoisted(() => [] as BoundedMemoryStore[]);
vi.mock('./bounded-memory-store.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof Bounded>();
  class RecordedStore extends actual.BoundedMemoryStore {
    constructor(...args: ConstructorParameters<typeof actual.BoundedMemoryStore>) {
      super(...args);
      stores.push(this);
    }
  }
  return { ...actual, BoundedMemoryStore: RecordedStore };
});

const T0 = Date.UTC(2030, 0, 1);
const ISS = 'https://auth.example.com';
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  stores.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

function token(
  jti: string | undefined,
  sub: string | undefined,
  iat?: number,
  exp?: number,
): RevocablePayload {
  return { iss: ISS, jti, sub, iat, exp };
}

/** The default denylist (direct path) and one on a keyv over the same kind of store (keyv path). */
function pair(): { direct: Denylist; viaKeyv: Denylist } {
  const direct = createDenylist();
  const viaKeyv = createDenylist({ store: new Keyv({ store: new BoundedMemoryStore(100) }) });
  return { direct, viaKeyv };
}

async function both(denylists: Denylist[], probe: RevocablePayload): Promise<boolean[]> {
  return Promise.all(denylists.map((d) => d.isRevoked(probe)));
}

describe('the in-process denylist agrees with the keyv path', () => {
  it('on jti revocations, subject-wide cut-offs and their expiry, under a fake clock', async () => {
    const { direct, viaKeyv } = pair();
    const lists = [direct, viaKeyv];
    const now = T0 / 1000;
    const probes: Record<string, RevocablePayload> = {
      revoked: token('a', 'u1', now, now + 100),
      other: token('b', 'u1', now, now + 100),
      otherIssuer: { ...token('a', 'u1', now, now + 100), iss: 'https://other.example' },
      before: token('c', 'u2', now - 10, now + 3600),
      sameSecond: token('d', 'u2', now + 5, now + 3600),
      after: token('e', 'u2', now + 6, now + 3600),
      noIat: token('f', 'u2', undefined, now + 3600),
      subOnly: token(undefined, 'u2', now, now + 3600),
      noIds: token(undefined, undefined, now, now + 3600),
    };
    const answers = async (): Promise<Record<string, boolean>> => {
      const out: Record<string, boolean> = {};
      for (const [name, probe] of Object.entries(probes)) {
        const [a, b] = await both(lists, probe);
        expect(a, name).toBe(b);
        out[name] = a!;
      }
      return out;
    };
    const nothing = Object.fromEntries(Object.keys(probes).map((k) => [k, false]));
    expect(await answers()).toEqual(nothing);

    for (const d of lists) await d.revoke(probes.revoked!);
    // The cut-off is 5.5 s after T0: a token issued within that second counts as issued before.
    for (const d of lists) await d.revokeAllForSubject(ISS, 'u2', T0 + 5500);
    // An older cut-off never shortens the newer one.
    for (const d of lists) await d.revokeAllForSubject(ISS, 'u2', T0 - 60_000);
    expect(await answers()).toEqual({
      ...nothing,
      revoked: true,
      before: true,
      sameSecond: true,
      noIat: true,
      subOnly: true,
    });

    // The jti entry lives until exp + tolerance (60 s): present 1 ms before, gone at that instant.
    vi.setSystemTime(T0 + 160_000 - 1);
    expect((await answers()).revoked).toBe(true);
    vi.setSystemTime(T0 + 160_000);
    expect((await answers()).revoked).toBe(false);
    // The cut-off lives maxTokenLifetime + tolerance after it.
    vi.setSystemTime(T0 + 5500 + 86_460_000 - 1);
    expect((await answers()).before).toBe(true);
    vi.setSystemTime(T0 + 5500 + 86_460_000);
    expect(await answers()).toEqual(nothing);
  });

  it('writes the entries keyv would: a keyv over the default store reads them, and their expiry', async () => {
    const denylist = createDenylist();
    const keyv = new Keyv({ store: stores[0]! });
    const now = T0 / 1000;
    await denylist.revoke(token('a', 'u1', now, now + 100));
    await denylist.revokeAllForSubject(ISS, 'u2', T0);
    expect(await keyv.get(denylistKey('revoked', 'jti', ISS, 'a'))).toBe(1);
    expect(await keyv.get(denylistKey('revoked', 'sub', ISS, 'u2'))).toBe(T0);
    expect(await keyv.get(denylistKey('revoked', 'jti', ISS, 'b'))).toBeUndefined();
    vi.setSystemTime(T0 + 160_000);
    expect(await keyv.get(denylistKey('revoked', 'jti', ISS, 'a'))).toBeUndefined();
    expect(await keyv.get(denylistKey('revoked', 'sub', ISS, 'u2'))).toBe(T0);
  });

  it('when full: a revocation fails (503, reported to onError), isRevoked still answers', async () => {
    const onError = vi.fn();
    const denylist = createDenylist({ maxEntries: 2, onError });
    const now = T0 / 1000;
    await denylist.revoke(token('a', 'u1', now, now + 100));
    await denylist.revokeAllForSubject(ISS, 'u2');
    for (const attempt of [
      () => denylist.revoke(token('b', 'u1', now, now + 100)),
      () => denylist.revokeAllForSubject(ISS, 'u3'),
    ]) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Unavailable);
      expect(error).toMatchObject({ code: 503, reason: 'store-unavailable' });
    }
    expect(onError).toHaveBeenCalledTimes(2);
    expect(await denylist.isRevoked(token('a', 'u1', now))).toBe(true);
    expect(await denylist.isRevoked(token('b', 'u1', now))).toBe(false);
    expect(await denylist.isRevoked(token('c', 'u2', now))).toBe(true);
    expect(await denylist.isRevoked(token('c', 'u3', now))).toBe(false);
    // A later cut-off for a subject already listed replaces its entry: no new one, so it succeeds.
    await expect(denylist.revokeAllForSubject(ISS, 'u2', T0 + 10_000)).resolves.toBeUndefined();
    expect(await denylist.isRevoked(token('c', 'u2', now + 5))).toBe(true);
  });
});

describe('which path a denylist takes', () => {
  it('the default one sets no timer; a given Keyv (even in-memory) goes through keyv within the timeout', async () => {
    const direct = createDenylist();
    const keyv = new Keyv({ store: new BoundedMemoryStore(10) });
    const gets: string[] = [];
    keyv.hooks.addHandler('preGet', ({ key }: { key: string }) => gets.push(key));
    const viaKeyv = createDenylist({ store: keyv });
    const probe = token('a', 'u1', T0 / 1000);
    await direct.revoke(probe);
    await viaKeyv.revoke(probe);

    const fast = direct.isRevoked(probe);
    expect(vi.getTimerCount()).toBe(0);
    await expect(fast).resolves.toBe(true);

    const slow = viaKeyv.isRevoked(probe);
    expect(vi.getTimerCount()).toBe(1);
    await expect(slow).resolves.toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(gets).toHaveLength(2); // the jti and the sub entries, both asked of keyv
  });
});
