import { importOptional } from '@org/core/internal';
import type { PostgresQueryable, SqliteDatabaseLike } from './store-clients.ts';

/**
 * The parts of the optional packages the stores use, typed here so that the published types never
 * name a package the user may not have installed.
 * @internal
 */
export interface StorePackages {
  'better-sqlite3': {
    default: new (
      filename: string,
      options: { timeout: number },
    ) => SqliteDatabaseLike & { pragma(source: string): unknown; close(): unknown };
  };
  '@keyv/redis': { createClient(options: Record<string, unknown>): unknown };
  pg: {
    default: {
      Pool: new (config: Record<string, unknown>) => PostgresQueryable & {
        on(event: 'error', listener: (error: unknown) => void): unknown;
      };
    };
  };
}

/**
 * How the stores load their optional peer dependencies; tests replace an entry to simulate a package
 * that is not installed.
 * @internal
 */
export const storePackageLoaders: { [N in keyof StorePackages]: () => Promise<StorePackages[N]> } = {
  'better-sqlite3': () => import('better-sqlite3') as unknown as Promise<StorePackages['better-sqlite3']>,
  '@keyv/redis': () => import('@keyv/redis') as unknown as Promise<StorePackages['@keyv/redis']>,
  pg: () => import('pg') as unknown as Promise<StorePackages['pg']>,
};

/**
 * Loads a store's optional package: one that is not installed rejects with BadRequest `missing-package`
 * naming it and its install command (storeCall lets it through: it is configuration, not an outage).
 * @param name - The package.
 * @param feature - The store that needs it, for the message.
 * @internal
 */
export function loadStorePackage<N extends keyof StorePackages>(
  name: N,
  feature: string,
): Promise<StorePackages[N]> {
  return importOptional(name, feature, storePackageLoaders[name] as () => Promise<StorePackages[N]>);
}
