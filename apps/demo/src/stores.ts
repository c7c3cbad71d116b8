// Where the demo keeps its state. One process: everything in one SQLite file under data/. Many
// processes: users and messages in Postgres (DATABASE_URL), and the key ring, the denylist and the
// rate-limit counters in Redis (REDIS_URL) or, without it, in Postgres, so every instance signs with the
// same keys, refuses the same revoked tokens and counts the same failed logins.
import { mkdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { sqliteAdapter } from '@org/adapter-sqlite';
import type { EntityService } from '@org/core';
import { configError } from '@org/core/internal';
import {
  memoryRateLimitStore,
  postgresRateLimitStore,
  redisRateLimitStore,
  type RateLimitStore,
} from '@org/http';
import {
  createDenylist,
  postgresKeyStore,
  redisKeyStore,
  sqliteKeyStore,
  type Denylist,
  type KeyStore,
} from '@org/strategy-jwt';
import Keyv from 'keyv';
import { DEMO_ROOT, type DemoConfig } from './config.ts';
import { localMessageHub, type MessageHub } from './realtime/message-hub.ts';
import { postgresMessageHub } from './realtime/postgres-message-hub.ts';
import { redisMessageHub } from './realtime/redis-message-hub.ts';

/** The demo's state: entity stores, the key store, the denylist and the rate-limit counters. */
export interface DemoStores {
  /** How the state is kept, for the start banner. */
  mode: { entities: 'sqlite' | 'postgres'; shared: 'sqlite' | 'redis' | 'postgres' };
  /** The Postgres schema and the prefix of the shared keys (`DEMO_NAMESPACE`, default `demo`). */
  namespace: string;
  /** The data folder (the KEK lives there unless `AUTH_KEK` is set). */
  dataDir: string;
  /** Users (the password hash is stored, never returned: see users-service.ts). */
  users: EntityService;
  /** Messages, each with its author's `userId`. */
  messages: EntityService;
  /** The key ring's records. */
  keyStore: KeyStore;
  /** Revoked tokens (logout). */
  denylist: Denylist;
  /** Failed-login counters. */
  rateLimit: RateLimitStore;
  /** Where message events go: this process only, or every instance through Redis or Postgres. */
  hub: MessageHub;
  /** Closes every connection and file opened here. */
  close(): Promise<void>;
}

/** The Postgres schema and the Redis key prefix of one deployment (tests give each run its own). */
const NAMESPACE = /^[a-z_][a-z0-9_]{0,40}$/;

function namespaceOf(env: NodeJS.ProcessEnv): string {
  const namespace = env.DEMO_NAMESPACE ?? 'demo';
  if (!NAMESPACE.test(namespace))
    throw configError('DEMO_NAMESPACE must be lower-case letters, digits and _');
  return namespace;
}

/**
 * Opens the stores the configuration asks for.
 *
 * @param config - The configuration (`postgres`, `redis`, `dataDir`).
 * @param env - The environment (`DEMO_NAMESPACE`).
 * @returns The stores; call `close()` when the server stops.
 */
export async function openStores(
  config: DemoConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DemoStores> {
  const dataDir = isAbsolute(config.dataDir) ? config.dataDir : join(DEMO_ROOT, config.dataDir);
  const namespace = namespaceOf(env);
  const closers: Array<() => unknown> = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    // Postgres and Redis clients load only when configured: the default start stays quick.
    const pg = config.postgres ? (await import('pg')).default : undefined;
    const pool =
      config.postgres && pg ? new pg.Pool({ connectionString: config.postgres, max: 5 }) : undefined;
    if (pool) closers.push(() => pool.end());
    const Redis = config.redis ? (await import('ioredis')).Redis : undefined;
    const redis =
      config.redis && Redis
        ? new Redis(config.redis, { lazyConnect: true, maxRetriesPerRequest: 1 })
        : undefined;
    if (redis) {
      redis.on('error', () => undefined); // reconnects by itself; each failed command is reported where it fails
      await redis.connect();
      closers.push(() => redis.quit());
    }

    let users: EntityService;
    let messages: EntityService;
    const sqliteFile = join(dataDir, 'demo.sqlite');
    if (pool) {
      const { postgresAdapter } = await import('@org/adapter-postgres');
      const pgUsers = postgresAdapter({ pool, schema: namespace, table: 'users', uniqueFields: ['email'] });
      const pgMessages = postgresAdapter({ pool, schema: namespace, table: 'messages' });
      await pgUsers.start();
      await pgMessages.start();
      users = pgUsers;
      messages = pgMessages;
    } else {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const sqliteUsers = sqliteAdapter({ filename: sqliteFile, table: 'users', uniqueFields: ['email'] });
      const sqliteMessages = sqliteAdapter({ filename: sqliteFile, table: 'messages' });
      closers.push(
        () => sqliteUsers.close(),
        () => sqliteMessages.close(),
      );
      users = sqliteUsers;
      messages = sqliteMessages;
    }

    let keyStore: KeyStore;
    let denylistStore: Keyv;
    let rateLimit: RateLimitStore;
    let shared: DemoStores['mode']['shared'];
    let hub: MessageHub;
    if (config.redis) {
      shared = 'redis';
      keyStore = redisKeyStore({ url: config.redis, namespace });
      const { default: KeyvRedis } = await import('@keyv/redis');
      denylistStore = new Keyv(new KeyvRedis(config.redis), { namespace: `${namespace}-revoked` });
      rateLimit = redisRateLimitStore({ client: redis! });
      hub = await redisMessageHub(redis!, `${namespace}:messages`);
    } else if (pool) {
      shared = 'postgres';
      keyStore = postgresKeyStore({ pool, schema: namespace, namespace });
      const { default: KeyvPostgres } = await import('@keyv/postgres');
      denylistStore = new Keyv(
        new KeyvPostgres({ uri: config.postgres!, schema: namespace, table: 'revoked' }),
      );
      rateLimit = postgresRateLimitStore({ pool, schemaName: namespace });
      hub = await postgresMessageHub(pool, config.postgres!, `${namespace}_messages`, pg!.Client);
    } else {
      shared = 'sqlite';
      keyStore = sqliteKeyStore({ filename: sqliteFile }); // the same file as users and messages
      denylistStore = new Keyv();
      rateLimit = memoryRateLimitStore();
      hub = localMessageHub();
    }
    closers.push(
      () => hub.close(),
      () => keyStore.close?.(),
      () => denylistStore.disconnect(),
    );
    const denylist = createDenylist({ store: denylistStore });

    return {
      mode: { entities: pool ? 'postgres' : 'sqlite', shared },
      namespace,
      dataDir,
      users,
      messages,
      keyStore,
      denylist,
      rateLimit,
      hub,
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
