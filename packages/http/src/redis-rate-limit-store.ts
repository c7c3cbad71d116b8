import { assertKnownOptions, configError, importOptional } from '@org/core/internal';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimiterSettings, RateLimitStore } from './rate-limit-store.ts';

/** A connected `ioredis` client or `redis`/`@redis/client` (node-redis 4+) client, typed loosely. */
export type RedisClientLike = object;

/** Options of {@link redisRateLimitStore}: a client, or a URL to open one. */
export interface RedisRateLimitStoreOptions {
  /**
   * A connected ioredis or node-redis client (await its `ready`/`connect()` first: until it is ready,
   * attempts are counted in this process's memory); the store never closes it.
   */
  client?: RedisClientLike;
  /**
   * A `redis://` or `rediss://` URL; the store opens (and closes) a node-redis client through the
   * optional package `@redis/client`.
   */
  url?: string;
}

/**
 * How the optional client package is loaded; tests replace `load` to simulate a missing package.
 * @internal
 */
export const redisClientPackage: { load: () => Promise<RedisClientModule> } = {
  load: () => import('@redis/client'),
};

/**
 * The part of `@redis/client` the store uses. Spelled out so the published types never name the
 * optional package: a project without it still type-checks with `skipLibCheck` off.
 * @internal
 */
interface RedisClientModule {
  createClient(options: { url?: string }): unknown;
}

/** node-redis clients have a boolean `isOpen`; ioredis ones a string `status`. */
function isNodeRedis(client: object): boolean {
  return typeof (client as { isOpen?: unknown }).isOpen === 'boolean';
}

interface OwnedClient {
  on(event: 'error', listener: (error: unknown) => void): unknown;
  connect(): Promise<unknown>;
  close?(): Promise<void>;
  quit?(): Promise<unknown>;
}

/**
 * Counters in Redis, shared by every instance (atomic through a Lua script). While Redis is unreachable,
 * each instance falls back to counting in its own memory (`rate-limiter-flexible`'s insurance limiter)
 * rather than letting attempts through uncounted or failing every login.
 *
 * @param options - A client, or a URL.
 * @returns The store.
 * @throws BadRequest `invalid-configuration` without exactly one of `client` and `url`; `missing-package`
 *   (from `limiter()`, so at `transport.ready()`) when `url` is used without `@redis/client` installed.
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const store = redisRateLimitStore({ client: new Redis(process.env.REDIS_URL) });
 * createHttpTransport(auth, { rateLimit: { store } });
 * ```
 */
export function redisRateLimitStore(options: RedisRateLimitStoreOptions): RateLimitStore {
  assertKnownOptions(options ?? {}, ['client', 'url'], 'redisRateLimitStore()');
  const { client, url } = options ?? {};
  if ((client === undefined) === (url === undefined)) {
    throw configError('redisRateLimitStore() needs exactly one of { client } and { url }');
  }
  if (client !== undefined && (client === null || typeof client !== 'object')) {
    throw configError('redisRateLimitStore(): client must be an ioredis or node-redis client');
  }
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\//.test(url))) {
    throw configError('redisRateLimitStore(): url must start with redis:// or rediss://');
  }
  let owned: Promise<OwnedClient> | undefined;
  const open = (): Promise<object> => {
    if (client !== undefined) return Promise.resolve(client);
    owned ??= (async () => {
      const { createClient } = await importOptional('@redis/client', 'redisRateLimitStore({ url })', () =>
        redisClientPackage.load(),
      );
      const created = createClient({ url }) as unknown as OwnedClient;
      // node-redis emits every connection error; an unheard one would crash the process. The limiter
      // sees the failure as a rejected command and counts in memory meanwhile.
      created.on('error', () => undefined);
      await created.connect();
      return created;
    })();
    return owned;
  };
  return {
    async limiter(settings: LimiterSettings): Promise<RateLimiterAbstract> {
      const storeClient = await open();
      return new RateLimiterRedis({
        ...settings,
        storeClient,
        useRedisPackage: isNodeRedis(storeClient),
        // Never queue behind a dead connection: count in memory until Redis is back.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(settings),
      });
    },
    async close() {
      const created = await owned?.catch(() => undefined);
      if (created === undefined) return;
      await (created.close?.() ?? created.quit?.())?.catch(() => undefined);
    },
  };
}
