import { assertName, assertStoreId, storeCall, type KeyStore } from './key-store.ts';

/** The part of a node-redis (`@redis/client`) client this store uses; `KeyvRedis#client` fits. */
export interface RedisCommandClient {
  /** Sends one raw command. */
  sendCommand(args: string[]): Promise<unknown>;
  /** Closes the connection (node-redis 5). */
  close?(): Promise<unknown>;
}

/** Options of {@link redisKeyStore}. */
export interface RedisKeyStoreOptions {
  /**
   * Connection URL; the store opens and owns a client (`createClient` from `@keyv/redis`).
   * @defaultValue `'redis://127.0.0.1:6379'`
   */
  url?: string;
  /** An existing connected client (e.g. `keyvRedis.client`); the store never closes it. */
  client?: RedisCommandClient;
  /**
   * Every id is stored as `org-keys:<namespace>:<id>`.
   * @defaultValue `'keys'`
   */
  namespace?: string;
}

/** Compare-and-set: one script, so no other command runs between the read and the write. */
const COMPARE_AND_SET = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0`;
const OVERWRITE = `if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('SET', KEYS[1], ARGV[1]) return 1 end return 0`;

/**
 * A key store on Redis (through `@keyv/redis`'s client, an optional peer dependency), shared by every
 * instance: create-if-absent is `SET key value NX`, compare-and-set a Lua script.
 *
 * The owned client has the offline queue disabled so that commands fail at once while Redis is down
 * (the ring then serves its last good key set) instead of hanging.
 * @param options - URL or client, and namespace.
 * @example
 * ```ts
 * const store = redisKeyStore({ url: process.env.REDIS_URL, namespace: 'api' });
 * const ring = await KeyRing.open({ store, kek: { secret: process.env.KEK_SECRET! } });
 * ```
 */
export function redisKeyStore(options: RedisKeyStoreOptions = {}): KeyStore {
  const prefix = `org-keys:${assertName(options.namespace ?? 'keys', 'key store namespace')}:`;
  let client: Promise<RedisCommandClient> | undefined;
  let closed = false;
  const connect = (): Promise<RedisCommandClient> =>
    (client ??= (async () => {
      if (options.client) return options.client;
      const { createClient } = await import('@keyv/redis');
      const created = createClient({
        url: options.url ?? 'redis://127.0.0.1:6379',
        disableOfflineQueue: true,
        socket: {
          connectTimeout: 2000,
          reconnectStrategy: (retries: number) => Math.min(retries * 100, 2000),
        },
      });
      created.on('error', () => undefined); // surfaced through the rejected command instead
      await created.connect();
      return created as unknown as RedisCommandClient;
    })().catch((error: unknown) => {
      client = undefined; // retry the connection on the next call
      throw error;
    }));
  const command = (args: string[]) => storeCall(async () => (await connect()).sendCommand(args));
  return {
    async get(id) {
      assertStoreId(id);
      const value = await command(['GET', prefix + id]);
      return typeof value === 'string' ? value : undefined;
    },
    async list() {
      const ids: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = (await command(['SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', '200'])) as [
          string,
          string[],
        ];
        cursor = String(next);
        ids.push(...keys.map((key) => key.slice(prefix.length)));
      } while (cursor !== '0');
      if (ids.length === 0) return [];
      const values = (await command(['MGET', ...ids.map((id) => prefix + id)])) as Array<string | null>;
      return ids.flatMap((id, i) => (typeof values[i] === 'string' ? [{ id, value: values[i] }] : []));
    },
    async createIfAbsent(id, value) {
      assertStoreId(id);
      return (await command(['SET', prefix + id, value, 'NX'])) === 'OK';
    },
    async update(id, value, expected) {
      assertStoreId(id);
      const result =
        expected === undefined
          ? await command(['EVAL', OVERWRITE, '1', prefix + id, value])
          : await command(['EVAL', COMPARE_AND_SET, '1', prefix + id, expected, value]);
      return Number(result) === 1;
    },
    async delete(id) {
      assertStoreId(id);
      return Number(await command(['DEL', prefix + id])) === 1;
    },
    async close() {
      if (closed || options.client || !client) return;
      closed = true;
      const owned = await client.catch(() => undefined);
      await owned?.close?.().catch(() => undefined);
    },
  };
}
