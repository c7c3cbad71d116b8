import { Unavailable } from '@org/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Bounded from './bounded-memory-store.ts';
import type { BoundedMemoryStore } from './bounded-memory-store.ts';
import { createDenylist } from './denylist.ts';

// The real store, recorded as it is constructed, so the bound test can fill it directly: 100000 revocations
// through keyv would take seconds.
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

// Issue 8: `createDenylist()` with no store is an in-process denylist: it works on its own, holds its
// entries in this instance only (not in a store another instance could share), and is bounded.
const T0 = Date.UTC(2030, 0, 1);
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

function token(jti: string, sub = 'user-1'): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: 'https://auth.example.com', sub, jti, iat: now, exp: now + 3600 };
}

describe('createDenylist() with no store', () => {
  it('revokes in memory: revoke, then isRevoked is true for that token only', async () => {
    const denylist = createDenylist();
    await denylist.ready();
    expect(denylist.shared).toBe(false);
    expect(await denylist.isRevoked(token('a'))).toBe(false);
    await denylist.revoke(token('a'));
    expect(await denylist.isRevoked(token('a'))).toBe(true);
    expect(await denylist.isRevoked(token('b'))).toBe(false);
    await denylist.revokeAllForSubject('https://auth.example.com', 'user-2');
    expect(await denylist.isRevoked(token('c', 'user-2'))).toBe(true);
    await denylist.close();
  });

  it('each instance has its own store: another createDenylist() does not see the revocation', async () => {
    const one = createDenylist();
    const other = createDenylist();
    await one.revoke(token('a'));
    await one.revokeAllForSubject('https://auth.example.com', 'user-2');
    expect(await one.isRevoked(token('a'))).toBe(true);
    expect(await other.isRevoked(token('a'))).toBe(false);
    expect(await other.isRevoked(token('c', 'user-2'))).toBe(false);
    // The same namespace and the same keys: only the store differs.
    await other.revoke(token('b'));
    expect(await one.isRevoked(token('b'))).toBe(false);
  });

  it('is bounded at the default 100000 live entries: the next revocation fails (503), none is pushed out', async () => {
    stores.length = 0;
    const denylist = createDenylist();
    expect(stores).toHaveLength(1);
    const store = stores[0]!;
    await denylist.revoke(token('t0'));
    for (let i = 1; i < 99_999; i++) store.set(`filler-${i}`, 1, 3600_000);
    await denylist.revoke(token('t5'));
    expect(store.size).toBe(100_000);
    const error = await denylist.revoke(token('one-too-many')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({ code: 503, reason: 'store-unavailable' });
    expect(store.size).toBe(100_000);
    expect(await denylist.isRevoked(token('t0'))).toBe(true);
    expect(await denylist.isRevoked(token('t5'))).toBe(true);
    expect(await denylist.isRevoked(token('one-too-many'))).toBe(false);
    // Re-revoking a listed token is not a new entry, so it still succeeds when full.
    await expect(denylist.revoke(token('t5'))).resolves.toBeUndefined();
    // Once the entries expire (exp + 60 s tolerance) they make room.
    vi.setSystemTime(T0 + 3600_000 + 61_000);
    await expect(denylist.revoke(token('after-expiry'))).resolves.toBeUndefined();
    expect(await denylist.isRevoked(token('after-expiry'))).toBe(true);
  });
});
