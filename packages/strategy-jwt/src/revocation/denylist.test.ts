import { BadRequest, Unavailable } from '@org/core';
import KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDenylist, Denylist } from './denylist.ts';

const ISS = 'https://auth.example.com';
const T0 = Date.UTC(2030, 0, 1);

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

function payload(over: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISS, sub: 'user-1', jti: 'jti-1', iat: now, exp: now + 3600, ...over };
}

describe('Denylist.revoke / isRevoked', () => {
  it('refuses a revoked token and nothing else', async () => {
    const denylist = createDenylist({ store: new Keyv() });
    const token = payload();
    expect(await denylist.isRevoked(token)).toBe(false);
    await denylist.revoke(token);
    expect(await denylist.isRevoked(token)).toBe(true);
    expect(await denylist.isRevoked(payload({ jti: 'jti-2' }))).toBe(false);
    await denylist.revoke(token);
    expect(await denylist.isRevoked(token)).toBe(true);
  });

  it('keys on issuer + jti: the same jti from another issuer is not revoked', async () => {
    const denylist = createDenylist({ store: new Keyv() });
    await denylist.revoke(payload());
    expect(await denylist.isRevoked(payload({ iss: 'https://other.example.com' }))).toBe(false);
    expect(await denylist.isRevoked(payload({ iss: undefined }))).toBe(false);
  });

  it('stores digests, never the claims or a token', async () => {
    const map = new Map<string, unknown>();
    const denylist = createDenylist({ store: new Keyv({ store: map }), namespace: 'ns' });
    await denylist.revoke(payload({ jti: 'secret-looking-jti' }));
    const [key] = [...map.keys()];
    expect(key).toMatch(/^keyv:ns:jti:[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain('secret-looking-jti');
    expect(JSON.stringify([...map.entries()])).not.toContain(ISS);
  });

  it('expires the entry when the token would have (exp + tolerance), then it is gone', async () => {
    const map = new Map<string, unknown>();
    const denylist = createDenylist({ store: new Keyv({ store: map }), tolerance: 30 });
    const token = payload({ exp: Math.floor(T0 / 1000) + 120 });
    await denylist.revoke(token);
    vi.setSystemTime(T0 + 149_000);
    expect(await denylist.isRevoked(token)).toBe(true);
    vi.setSystemTime(T0 + 150_001);
    expect(await denylist.isRevoked(token)).toBe(false);
    expect(map.size).toBe(0);
  });

  it('does not store a token that has already expired past the tolerance', async () => {
    const map = new Map<string, unknown>();
    const denylist = createDenylist({ store: new Keyv({ store: map }), tolerance: 10 });
    await denylist.revoke(payload({ exp: Math.floor(T0 / 1000) - 11 }));
    expect(map.size).toBe(0);
  });

  it('keeps a token without exp for maxTokenLifetime + tolerance', async () => {
    const denylist = createDenylist({ store: new Keyv(), maxTokenLifetime: 100, tolerance: 0 });
    const token = payload({ exp: undefined });
    await denylist.revoke(token);
    vi.setSystemTime(T0 + 99_000);
    expect(await denylist.isRevoked(token)).toBe(true);
    vi.setSystemTime(T0 + 100_001);
    expect(await denylist.isRevoked(token)).toBe(false);
  });

  it('refuses to revoke a token without jti', async () => {
    const denylist = createDenylist({ store: new Keyv() });
    const error = await denylist.revoke(payload({ jti: undefined })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({
      reason: 'bad-request',
      code: 400,
      message: 'Token has no jti claim and cannot be revoked',
    });
  });

  it('answers false for a token with neither jti nor sub without touching the store', async () => {
    const store = new Keyv();
    const get = vi.spyOn(store, 'get');
    expect(await createDenylist({ store }).isRevoked({ iss: ISS })).toBe(false);
    expect(get).not.toHaveBeenCalled();
  });
});

describe('Denylist.revokeAllForSubject', () => {
  it('revokes tokens of the subject issued at or before the cut-off, not later ones', async () => {
    const denylist = createDenylist({ store: new Keyv() });
    const old = payload({ jti: 'a' });
    vi.setSystemTime(T0 + 10_500);
    await denylist.revokeAllForSubject(ISS, 'user-1');
    const sameSecond = payload({ jti: 'b' });
    vi.setSystemTime(T0 + 11_000);
    const later = payload({ jti: 'c' });
    expect(await denylist.isRevoked(old)).toBe(true);
    expect(await denylist.isRevoked(sameSecond)).toBe(true);
    expect(await denylist.isRevoked(later)).toBe(false);
    expect(await denylist.isRevoked(payload({ jti: 'd', iat: undefined }))).toBe(true);
    expect(await denylist.isRevoked(payload({ jti: 'e', iat: 0, sub: 'user-2' }))).toBe(false);
    expect(await denylist.isRevoked(payload({ jti: 'f', iat: 0, iss: 'https://other.example.com' }))).toBe(
      false,
    );
  });

  it('accepts a Date cut-off and never moves an existing cut-off back', async () => {
    const denylist = createDenylist({ store: new Keyv() });
    await denylist.revokeAllForSubject(ISS, 'user-1', new Date(T0 + 60_000));
    await denylist.revokeAllForSubject(ISS, 'user-1', T0);
    expect(await denylist.isRevoked(payload({ jti: 'x', iat: Math.floor(T0 / 1000) + 30 }))).toBe(true);
  });

  it('keeps the subject entry for maxTokenLifetime + tolerance after the cut-off', async () => {
    const map = new Map<string, unknown>();
    const denylist = createDenylist({
      store: new Keyv({ store: map }),
      maxTokenLifetime: 600,
      tolerance: 60,
    });
    const token = payload({ jti: 'a' });
    await denylist.revokeAllForSubject(ISS, 'user-1');
    vi.setSystemTime(T0 + 659_000);
    expect(await denylist.isRevoked(token)).toBe(true);
    vi.setSystemTime(T0 + 660_001);
    expect(await denylist.isRevoked(token)).toBe(false);
    expect(map.size).toBe(0);
  });

  it('rejects a missing subject or an invalid cut-off', async () => {
    const denylist = createDenylist({ store: new Keyv() });
    await expect(denylist.revokeAllForSubject(ISS, '')).rejects.toThrow(BadRequest);
    await expect(denylist.revokeAllForSubject(ISS, 'u', Number.NaN)).rejects.toThrow(
      'A subject and a valid cut-off time are required',
    );
  });
});

describe('Denylist configuration', () => {
  it('validates its options at construction', () => {
    const cases: [unknown, string][] = [
      [
        { store: { get: 1 } },
        "'revocation.store' must be a Keyv instance, or a redis://, rediss://, postgres://, postgresql:// or sqlite:// URL",
      ],
      [
        { store: 'mongodb://db/x' },
        "'revocation.store' must be a Keyv instance, or a redis://, rediss://, postgres://, postgresql:// or sqlite:// URL",
      ],
      [
        { store: new Keyv(), maxEntries: 10 },
        "'revocation.maxEntries' bounds the in-process store only; it does not apply with a 'store'",
      ],
      [{ maxEntries: 0 }, "'revocation.maxEntries' must be a positive integer"],
      [
        { store: new Keyv(), tolerence: 5 },
        'createDenylist: unknown option "tolerence" (did you mean "tolerance"?); known options: store, maxEntries, namespace, tolerance, maxTokenLifetime, failMode, timeout, onError, clock',
      ],
      [{ store: new Keyv(), failMode: 'ajar' }, "Denylist failMode must be 'closed' or 'open', not 'ajar'"],
      [{ store: new Keyv(), tolerance: -1 }, 'Denylist tolerance must be a number >= 0'],
      [{ store: new Keyv(), timeout: Number.NaN }, 'Denylist timeout must be a number >= 0'],
      [{ store: new Keyv(), namespace: '' }, 'Denylist namespace must be a non-empty string'],
    ];
    for (const [options, message] of cases) {
      expect(() => new Denylist(options as never)).toThrow(
        expect.objectContaining({ name: 'BadRequest', reason: 'invalid-configuration', message }),
      );
    }
  });

  it('turns on throwOnErrors so a store error is never read as "not revoked"', () => {
    const store = new Keyv();
    createDenylist({ store });
    expect(store.throwOnErrors).toBe(true);
  });
});

describe('Denylist store failures', () => {
  function failingStore(): Keyv {
    const map = new Map<string, unknown>();
    const store = new Keyv({ store: map });
    vi.spyOn(map, 'get').mockImplementation(() => {
      throw new Error('boom');
    });
    vi.spyOn(map, 'set').mockImplementation(() => {
      throw new Error('boom');
    });
    return store;
  }

  it('fails closed by default: Unavailable 503 store-unavailable', async () => {
    const onError = vi.fn();
    const denylist = createDenylist({ store: failingStore(), onError });
    const error = await denylist.isRevoked(payload()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({
      code: 503,
      reason: 'store-unavailable',
      message: 'Revocation store unavailable',
    });
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('fails open when configured, reporting the error', async () => {
    const onError = vi.fn();
    const denylist = createDenylist({ store: failingStore(), failMode: 'open', onError });
    expect(await denylist.isRevoked(payload())).toBe(false);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'boom' }));
  });

  it('always fails revoke on a store error, whatever the fail mode', async () => {
    const denylist = createDenylist({ store: failingStore(), failMode: 'open' });
    await expect(denylist.revoke(payload())).rejects.toMatchObject({
      reason: 'store-unavailable',
      code: 503,
    });
  });
});

describe('Denylist on an unreachable Redis', () => {
  // A closed port, not a stopped server: the shared Redis stays up for everyone else.
  const CLOSED = 'redis://127.0.0.1:1';

  const adapters: KeyvRedis<unknown>[] = [];
  afterEach(async () => {
    // close() would wait for a connection that never comes; destroy() drops the reconnect loop.
    await Promise.all(adapters.splice(0).map((a) => a.disconnect(true)));
  });

  function unreachable(): Keyv {
    const adapter = new KeyvRedis(CLOSED);
    adapters.push(adapter);
    const store = new Keyv(adapter);
    store.on('error', () => {});
    return store;
  }

  it('fails closed within the timeout', async () => {
    vi.useRealTimers();
    const store = unreachable();
    const denylist = createDenylist({ store, timeout: 200 });
    const error = await denylist.isRevoked(payload()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({ reason: 'store-unavailable' });
    await expect(denylist.revoke(payload())).rejects.toMatchObject({ reason: 'store-unavailable' });
  });

  it('fails open when configured', async () => {
    vi.useRealTimers();
    const store = unreachable();
    const onError = vi.fn();
    const denylist = createDenylist({ store, timeout: 200, failMode: 'open', onError });
    expect(await denylist.isRevoked(payload())).toBe(false);
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'store operation timed out after 200 ms' }),
    );
  });
});
