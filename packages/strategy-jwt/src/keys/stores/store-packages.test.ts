import { BadRequest } from '@org/core';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyRing } from '../key-ring.ts';
import { KEK } from '../test-ring-support.ts';
import type { KeyStore } from './key-store.ts';
import { postgresKeyStore } from './postgres-key-store.ts';
import { redisKeyStore } from './redis-key-store.ts';
import { sqliteKeyStore } from './sqlite-key-store.ts';
import { storePackageLoaders } from './store-packages.ts';

const loaders = { ...storePackageLoaders };
/** The loaders, writable with any module (a test simulates failures only). */
const writable = storePackageLoaders as Record<string, () => Promise<unknown>>;
afterEach(() => Object.assign(storePackageLoaders, loaders));

/** What Node throws for a package that is not installed. */
const notFound = (name: string) =>
  Object.assign(
    new Error(`Cannot find package '${name}' imported from /app/node_modules/@org/strategy-jwt/dist/x.js`),
    {
      code: 'ERR_MODULE_NOT_FOUND',
    },
  );

const cases: Array<[keyof typeof storePackageLoaders, string, () => KeyStore]> = [
  ['better-sqlite3', 'sqliteKeyStore()', () => sqliteKeyStore({ filename: ':memory:' })],
  ['@keyv/redis', 'redisKeyStore()', () => redisKeyStore({ url: 'redis://127.0.0.1:6379' })],
  [
    'pg',
    'postgresKeyStore()',
    () => postgresKeyStore({ connectionString: 'postgres://postgres@127.0.0.1/test' }),
  ],
];

describe.each(cases)('a key store without its optional package %s', (name, feature, open) => {
  it('rejects with a missing-package error naming the package and the install command', async () => {
    writable[name] = () => Promise.reject(notFound(name));
    const store = open();
    const error = await store.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({
      code: 400,
      reason: 'missing-package',
      message: `${feature} needs the optional package ${name}: npm install ${name}`,
    });
    await store.close();
  });

  it('reaches the caller of KeyRing.open as that error, not as "Key store unavailable"', async () => {
    writable[name] = () => Promise.reject(notFound(name));
    const store = open();
    const error = await KeyRing.open({ kek: KEK, store }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      reason: 'missing-package',
      message: expect.stringContaining(`npm install ${name}`),
    });
    await store.close();
  });
});
