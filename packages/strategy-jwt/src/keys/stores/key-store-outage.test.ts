import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BadRequest, Unavailable } from '@org/core';
import { KeyRing } from '../key-ring.ts';
import { keyvKeyStore } from './keyv-key-store.ts';
import type { KeyStore } from './key-store.ts';
import { postgresKeyStore } from './postgres-key-store.ts';
import { redisKeyStore } from './redis-key-store.ts';
import { sqliteKeyStore } from './sqlite-key-store.ts';
import { closedPort, startTcpProxy, type TestTcpProxy } from './test-tcp-proxy.ts';
import { KEK } from '../test-ring-support.ts';

// Outages are simulated on closed ports and on a proxy in front of the real servers, never by
// stopping the shared Redis and Postgres. A store that hangs instead of failing times the test out.
const REDIS = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const DATABASE = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const TIMEOUT = 400;
const table = `org_keys_outage_${randomBytes(4).toString('hex')}`;

const stores: KeyStore[] = [];
const proxies: TestTcpProxy[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  const client = new pg.Client({ connectionString: DATABASE.href });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS "${table}"`);
  await client.end();
});

interface Backend {
  name: string;
  target: URL;
  open(port: number, namespace: string): KeyStore;
}

const BACKENDS: Backend[] = [
  {
    name: 'redis',
    target: REDIS,
    open: (port, namespace) => redisKeyStore({ url: withPort(REDIS, port), namespace, timeout: TIMEOUT }),
  },
  {
    name: 'postgres',
    target: DATABASE,
    open: (port, namespace) =>
      postgresKeyStore({ connectionString: withPort(DATABASE, port), table, namespace, timeout: TIMEOUT }),
  },
];

function withPort(url: URL, port: number): string {
  const copy = new URL(url);
  copy.hostname = '127.0.0.1';
  copy.port = String(port);
  return copy.href;
}

function track<T extends KeyStore>(store: T): T {
  stores.push(store);
  return store;
}

async function proxied(backend: Backend): Promise<TestTcpProxy> {
  const proxy = await startTcpProxy({ host: backend.target.hostname, port: Number(backend.target.port) });
  proxies.push(proxy);
  return proxy;
}

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => expect.unreachable('the store call succeeded'),
    (error: unknown) => error,
  );
}

function expectUnavailable(error: unknown): void {
  expect(error).toBeInstanceOf(Unavailable);
  expect(error).toMatchObject({
    name: 'Unavailable',
    code: 503,
    reason: 'store-unavailable',
    message: 'Key store unavailable',
  });
}

const fresh = () => `o${randomBytes(6).toString('hex')}`;

describe.each(BACKENDS)('$name key store outage', (backend) => {
  it('rejects every call with Unavailable on a closed port, and closes', async () => {
    const store = track(backend.open(await closedPort(), fresh()));
    for (const call of [
      () => store.get('a'),
      () => store.list(),
      () => store.createIfAbsent('a', 'v'),
      () => store.update('a', 'w', 'v'),
      () => store.delete('a'),
    ]) {
      expectUnavailable(await failure(call()));
    }
    await store.close();
    await store.close();
  }, 10_000);

  it('gives up on a server that never answers after its timeout, and closes', async () => {
    const proxy = await proxied(backend);
    proxy.set('hang');
    const store = track(backend.open(proxy.port, fresh()));
    const error = await failure(store.get('a'));
    expectUnavailable(error);
    expect((error as Error).cause).toMatchObject({ message: `no answer within ${TIMEOUT} ms` });
    await store.close();
  }, 10_000);

  it('closes while a call is stuck, and the call still settles', async () => {
    const proxy = await proxied(backend);
    proxy.set('hang');
    const store = track(backend.open(proxy.port, fresh()));
    const pending = failure(store.list());
    await store.close();
    expectUnavailable(await pending);
  }, 10_000);

  it('recovers once the server is back, after a stop and after a hang', async () => {
    const proxy = await proxied(backend);
    const namespace = fresh();
    const store = track(backend.open(proxy.port, namespace));
    expect(await store.createIfAbsent('a', 'v1')).toBe(true);

    proxy.set('down');
    expectUnavailable(await failure(store.get('a')));
    expectUnavailable(await failure(store.update('a', 'v2', 'v1')));
    proxy.set('up');
    expect(await store.get('a')).toBe('v1');

    proxy.set('hang'); // the open connection goes silent mid-session
    expectUnavailable(await failure(store.get('a')));
    proxy.set('up');
    expect(await store.update('a', 'v2', 'v1')).toBe(true);
    expect(await store.get('a')).toBe('v2');
    expect(await store.delete('a')).toBe(true);
  }, 15_000);

  it('fails KeyRing.open closed with Unavailable when the store is unreachable', async () => {
    const store = track(backend.open(await closedPort(), fresh()));
    const error = await failure(KeyRing.open({ kek: KEK, store }));
    expectUnavailable(error);
  }, 10_000);

  it('keeps signing with the active key through an outage after a good read, then catches up', async () => {
    const proxy = await proxied(backend);
    const store = track(backend.open(proxy.port, fresh()));
    const ring = await KeyRing.open({ kek: KEK, store });
    try {
      const active = (await ring.getSigningKey()).kid;
      proxy.set('down');
      expectUnavailable(await failure(ring.refresh()));
      expect(ring.storeAvailable).toBe(false);
      expect((await ring.getSigningKey()).kid).toBe(active);
      expect(ring.jwks().keys.map((k) => k.kid)).toContain(active);
      proxy.set('up');
      await ring.refresh();
      expect(ring.storeAvailable).toBe(true);
      expect((await ring.getSigningKey()).kid).toBe(active);
      for (const { id } of await store.list()) await store.delete(id);
    } finally {
      await ring.stop();
    }
  }, 15_000);

  it('refuses a timeout that is not a positive number of milliseconds', () => {
    for (const timeout of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5s' as unknown as number]) {
      const open = () =>
        backend.name === 'redis' ? redisKeyStore({ timeout }) : postgresKeyStore({ timeout });
      expect(open).toThrow(BadRequest);
      expect(open).toThrow(
        expect.objectContaining({
          reason: 'invalid-configuration',
          message: 'Invalid key store timeout: use a positive number of milliseconds',
        }),
      );
    }
  });
});

describe('keyv key store outage', () => {
  /** A keyv adapter whose backend is gone: every call fails, or never settles. */
  function deadAdapter(mode: 'fail' | 'hang') {
    const call = () =>
      mode === 'fail' ? Promise.reject(new Error('ECONNREFUSED')) : new Promise<never>(() => undefined);
    return { get: call, set: call, delete: call, clear: call, has: call, on: () => undefined };
  }

  it('reports a failing adapter as Unavailable instead of an empty store', async () => {
    const store = keyvKeyStore({ keyv: new Keyv({ store: deadAdapter('fail') }) });
    expectUnavailable(await failure(store.get('a')));
    expectUnavailable(await failure(store.createIfAbsent('a', 'v')));
    expectUnavailable(await failure(KeyRing.open({ kek: KEK, store })));
  });

  it('gives up on an adapter that never answers, and frees its lock for later calls', async () => {
    const keyv = new Keyv({ store: deadAdapter('hang') });
    const store = keyvKeyStore({ keyv, timeout: TIMEOUT });
    const first = failure(store.get('a'));
    const second = failure(store.get('b'));
    expect(((await first) as Error).cause).toMatchObject({ message: `no answer within ${TIMEOUT} ms` });
    expectUnavailable(await second);
    await store.close();
  }, 10_000);
});

describe('SQLite key store outage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'org-keys-outage-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects with Unavailable while the file cannot be opened, closes, and opens it once it can', async () => {
    const folder = join(dir, 'later');
    const store = track(sqliteKeyStore({ filename: join(folder, 'keys.sqlite') }));
    expectUnavailable(await failure(store.get('a')));
    expectUnavailable(await failure(store.createIfAbsent('a', 'v')));
    mkdirSync(folder);
    expect(await store.createIfAbsent('a', 'v')).toBe(true);
    expect(await store.get('a')).toBe('v');
  });

  it('closes a store whose file never opened', async () => {
    const store = sqliteKeyStore({ filename: join(dir, 'missing', 'keys.sqlite') });
    expectUnavailable(await failure(KeyRing.open({ kek: KEK, store })));
    await store.close();
    await store.close();
  });
});
