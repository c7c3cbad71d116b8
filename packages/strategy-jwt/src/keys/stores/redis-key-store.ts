import {
  assertName,
  assertStoreId,
  assertTimeout,
  settleWithin,
  storeCall,
  type KeyStore,
} from './key-store.ts';
import { loadStorePackage } from './store-packages.ts';

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
  /**
   * Milliseconds a call may wait for Redis, connecting included; after that it rejects with
   * `Unavailable` (`store-unavailable`) and an owned connection is dropped, to be reopened by a later call.
   * @defaultValue `5000`
   */
  timeout?: number;
}

/** The owned client: node-redis 5, as `@keyv/redis` creates it. */
interface OwnedClient extends RedisCommandClient {
  connect(): Promise<unknown>;
  destroy(): void;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'connect', listener: () => void): unknown;
  readonly isOpen: boolean;
  readonly isReady: boolean;
}

/** Compare-and-set: one script, so no other command runs between the read and the write. */
const COMPARE_AND_SET = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0`;
const OVERWRITE = `if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('SET', KEYS[1], ARGV[1]) return 1 end return 0`;

/**
 * A key store on Redis (through `@keyv/redis`'s client, an optional peer dependency), shared by every
 * instance: create-if-absent is `SET key value NX`, compare-and-set a Lua script.
 *
 * The owned client never queues or retries behind a call's back: it fails a call at once while Redis is
 * down (the ring then serves its last good key set), every call is bounded by `timeout`, and a broken
 * connection is replaced by a fresh one on the next call, so the store recovers when Redis comes back.
 * @param options - URL or client, namespace and timeout.
 * @throws BadRequest (`invalid-configuration`) for a bad namespace or timeout.
 * @example
 * ```ts
 * const store = redisKeyStore({ url: process.env.REDIS_URL, namespace: 'api' });
 * const ring = await KeyRing.open({ store, kek: { secret: process.env.KEK_SECRET! } });
 * ```
 */
export function redisKeyStore(options: RedisKeyStoreOptions = {}): KeyStore {
  const namespace = assertName(options.namespace ?? 'keys', 'key store namespace');
  const prefix = `org-keys:${namespace}:`;
  const timeout = assertTimeout(options.timeout);
  let owned: Connection | undefined;
  let closed = false;
  const drop = (connection: Connection | undefined) => {
    if (!connection || owned !== connection) return;
    owned = undefined;
    destroy(connection);
  };
  const open = async (): Promise<Connection> => {
    const { createClient } = await loadStorePackage('@keyv/redis', 'redisKeyStore()');
    if (owned?.client.isOpen) return owned;
    drop(owned); // lost since the last call: the client does not reconnect by itself
    if (closed) throw new Error('key store closed');
    const client = createClient({
      url: options.url ?? 'redis://127.0.0.1:6379',
      // Commands fail at once while disconnected instead of waiting in a queue, and a lost connection
      // is not retried in the background (a retrying connect() never rejects): the next call reconnects.
      disableOfflineQueue: true,
      socket: { connectTimeout: timeout, reconnectStrategy: false },
    }) as unknown as OwnedClient;
    client.on('error', () => undefined); // surfaced through the rejected command instead
    const connection: Connection = { client, ready: client.connect().then(() => client), socket: false };
    client.on('connect', () => (connection.socket = true)); // never synchronous: connect() awaits the socket
    // A connection dropped while still opening may finish opening later: close it then.
    connection.ready.then(
      () => owned !== connection && destroy(connection),
      () => undefined,
    );
    owned = connection;
    return connection;
  };
  const command = (args: string[]) => {
    const given = options.client;
    if (given) return storeCall(() => given.sendCommand(args), { timeout });
    let connection: Connection | undefined;
    return storeCall(
      async () => {
        connection = await open();
        try {
          return await (await connection.ready).sendCommand(args);
        } catch (error) {
          if (!connection.client.isReady) drop(connection); // an error reply keeps the connection
          throw error;
        }
      },
      { timeout, onExpired: () => drop(connection) },
    );
  };
  return {
    namespace,
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
      closed = true;
      const connection = owned;
      owned = undefined;
      if (!connection) return;
      // Quit politely when connected (waits for replies in flight, bounded); anything else is destroyed.
      if (connection.client.isReady)
        await settleWithin(
          Promise.resolve().then(() => connection.client.close?.()),
          timeout,
        );
      destroy(connection);
    },
  };
}

interface Connection {
  client: OwnedClient;
  ready: Promise<OwnedClient>;
  /** The TCP socket exists (the client emitted `connect`); the handshake may still be running. */
  socket: boolean;
}

/**
 * Closes a connection for good. node-redis 5 loses a `destroy()` that lands while its TCP connect is
 * still pending (the socket does not exist yet, so there is nothing to destroy, and the client then
 * counts as closed): the socket that connects afterwards stays open, its handshake never ends on a
 * server that does not answer, and the process cannot exit. A loaded machine runs an overdue timeout
 * before the connect event, so this is the usual order there. Destroy once the socket exists instead;
 * a connect that fails or times out (`connectTimeout`) leaves nothing behind.
 */
function destroy(connection: Connection): void {
  if (!connection.socket) {
    connection.client.on('connect', () => destroyClient(connection.client));
    return;
  }
  destroyClient(connection.client);
}

/** node-redis throws when destroying a client that is already closed. */
function destroyClient(client: OwnedClient): void {
  try {
    client.destroy();
  } catch {
    // already closed
  }
}
