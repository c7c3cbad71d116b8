import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Keyv from 'keyv';
import { memoryCodeStore } from './code-store.ts';
import { OneTimeCodes } from './one-time-codes.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe.each([
  ['memoryCodeStore', () => memoryCodeStore()],
  ['a Keyv store', () => new Keyv()],
])('OneTimeCodes on %s', (_name, store) => {
  it('redeems once, with its binding', async () => {
    const codes = new OneTimeCodes(store());
    const { code, binding } = await codes.issue({ strategy: 'google', entityId: 7 });
    expect(await codes.redeem(code, binding)).toEqual({ strategy: 'google', entityId: 7 });
    await expect(codes.redeem(code, binding)).rejects.toMatchObject({
      reason: 'invalid-credentials',
      code: 401,
    });
  });

  it('lives a minute', async () => {
    const codes = new OneTimeCodes(store());
    const { code, binding } = await codes.issue({ strategy: 'google', entityId: 7 });
    vi.advanceTimersByTime(60_001);
    await expect(codes.redeem(code, binding)).rejects.toMatchObject({ reason: 'invalid-credentials' });
  });

  it('a wrong binding fails and burns the code', async () => {
    const codes = new OneTimeCodes(store());
    const { code, binding } = await codes.issue({ strategy: 'google', entityId: 'a' });
    await expect(codes.redeem(code, 'another-browser')).rejects.toMatchObject({
      reason: 'invalid-credentials',
    });
    await expect(codes.redeem(code, binding)).rejects.toMatchObject({ reason: 'invalid-credentials' });
  });

  it('concurrent redeems: exactly one wins', async () => {
    const codes = new OneTimeCodes(store());
    const { code, binding } = await codes.issue({ strategy: 'google', entityId: 1 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => codes.redeem(code, binding)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});

describe('memoryCodeStore', () => {
  it('keeps only hashes of codes and bindings', async () => {
    const seen: unknown[] = [];
    const inner = memoryCodeStore();
    const codes = new OneTimeCodes({ ...inner, set: (k, v, t) => (seen.push(k, v), inner.set(k, v, t)) });
    const { code, binding } = await codes.issue({ strategy: 'google', entityId: 1 });
    expect(JSON.stringify(seen)).not.toContain(code);
    expect(JSON.stringify(seen)).not.toContain(binding);
  });

  it('is bounded: past maxEntries the oldest goes', () => {
    const store = memoryCodeStore({ maxEntries: 2 });
    store.set('a', 1, 60_000);
    store.set('b', 2, 60_000);
    store.set('c', 3, 60_000);
    expect([store.get('a'), store.get('b'), store.get('c')]).toEqual([undefined, 2, 3]);
    expect(() => memoryCodeStore({ maxEntries: 0 })).toThrow(/maxEntries/);
  });
});
