import { BadRequest } from '@org/core';
import { afterEach, describe, expect, it } from 'vitest';
import { redisClientPackage, redisRateLimitStore } from './redis-rate-limit-store.ts';

const load = redisClientPackage.load;
afterEach(() => {
  redisClientPackage.load = load;
});

describe('redisRateLimitStore({ url }) without @redis/client', () => {
  it('fails with an error naming the package and the install command', async () => {
    // What Node throws when the optional package is not installed.
    const notFound = Object.assign(
      new Error(
        "Cannot find package '@redis/client' imported from /app/node_modules/@org/http/dist/index.js",
      ),
      { code: 'ERR_MODULE_NOT_FOUND' },
    );
    redisClientPackage.load = () => Promise.reject(notFound);
    const store = redisRateLimitStore({ url: 'redis://127.0.0.1:6379' });
    const error = await store
      .limiter({ keyPrefix: 'x', points: 1, duration: 1, blockDuration: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({
      reason: 'missing-package',
      message:
        'redisRateLimitStore({ url }) needs the optional package @redis/client: npm install @redis/client',
      cause: notFound,
    });
  });
});
