import { TooManyRequests, NotAuthenticated, BadRequest, type AuthError } from '@org/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LoginRateLimiter } from './login-rate-limit.ts';
import type { RateLimitStore } from './rate-limit-store.ts';

const fail = new NotAuthenticated('Invalid login');
const configurations = () => ({ local: { usernameField: 'user.name' } });

async function attempt(limiter: LoginRateLimiter, name: string, address?: string) {
  return limiter.begin({ strategy: 'local', user: { name } }, address);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('LoginRateLimiter', () => {
  it('unblocks a key when its block has passed', async () => {
    vi.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
    const limiter = new LoginRateLimiter(
      { account: { points: 1, duration: 60, blockDuration: 300 }, address: false },
      configurations,
      () => undefined,
    );
    await (await attempt(limiter, 'ada'))!.failed(fail);
    const over = await (await attempt(limiter, 'ada'))!.failed(fail).catch((e: unknown) => e);
    expect(over).toBeInstanceOf(TooManyRequests);
    expect((over as AuthError).data).toEqual({ retryAfter: 300, reason: 'too-many-requests' });
    vi.advanceTimersByTime(299_000);
    const still = await attempt(limiter, 'ada').catch((e: unknown) => e);
    expect((still as AuthError).data).toEqual({ retryAfter: 1, reason: 'too-many-requests' });
    vi.advanceTimersByTime(1_001);
    await expect(attempt(limiter, 'ada')).resolves.toBeDefined();
  });

  it('reads the username at the configured dot path and normalises it', async () => {
    const limiter = new LoginRateLimiter(
      { account: { points: 1 }, address: false },
      configurations,
      () => undefined,
    );
    // Fullwidth letters, case and spaces name the same account (NFKC, lower case, trimmed).
    await (await attempt(limiter, 'ＡＤＡ'))!.failed(fail).catch(() => undefined);
    await (await attempt(limiter, ' ada '))!.failed(fail).catch(() => undefined);
    await expect(attempt(limiter, 'Ada')).rejects.toBeInstanceOf(TooManyRequests);
    await expect(attempt(limiter, 'bob')).resolves.toBeDefined();
  });

  it('counts only 401s; a 400 or 500 is not a guess', async () => {
    const limiter = new LoginRateLimiter(
      { account: { points: 1 }, address: false },
      configurations,
      () => undefined,
    );
    for (let n = 0; n < 3; n++) {
      await (await attempt(limiter, 'ada'))!.failed(
        new BadRequest('too long', { reason: 'invalid-credentials-format' }),
      );
      await (await attempt(limiter, 'ada'))!.failed(new Error('db down'));
    }
    await expect(attempt(limiter, 'ada')).resolves.toBeDefined();
  });

  it('counts only the configured strategies; jwt never by default', async () => {
    const limiter = new LoginRateLimiter({ strategies: ['local'] }, configurations, () => undefined);
    expect(await limiter.begin({ strategy: 'oauth-code', code: 'x' }, '192.0.2.1')).toBeUndefined();
    const byDefault = new LoginRateLimiter({}, configurations, () => undefined);
    expect(await byDefault.begin({ strategy: 'jwt', accessToken: 'x' }, '192.0.2.1')).toBeUndefined();
    expect(await byDefault.begin({ strategy: 'oauth-code', code: 'x' }, '192.0.2.1')).toBeDefined();
  });

  it('reports a store that fails without insurance and lets the attempt go on', async () => {
    const reported: AuthError[] = [];
    const broken = {
      get: () => Promise.reject(new Error('ECONNRESET')),
      consume: () => Promise.reject(new Error('ECONNRESET')),
      delete: () => Promise.reject(new Error('x')),
    };
    const store: RateLimitStore = { limiter: async () => broken as never };
    const limiter = new LoginRateLimiter({ store }, configurations, (error) => reported.push(error));
    const started = await attempt(limiter, 'ada', '192.0.2.1');
    await started!.failed(fail);
    await started!.succeeded();
    expect(reported.map((e) => e.reason)).toEqual(Array(5).fill('store-unavailable'));
  });

  it('retries opening a store that failed', async () => {
    let calls = 0;
    const store: RateLimitStore = {
      limiter: async () => {
        calls++;
        if (calls === 1) throw new Error('connect ECONNREFUSED');
        return { get: async () => null } as never;
      },
    };
    const limiter = new LoginRateLimiter({ store, address: false }, configurations, () => undefined);
    await expect(limiter.ready()).rejects.toThrow('ECONNREFUSED');
    await expect(limiter.ready()).resolves.toBeUndefined();
  });
});
