/** A query: equality on fields plus the special `$limit`, `$skip`, `$select` and `$sort` keys. */
export interface Query {
  /** At most this many results. */
  $limit?: number;
  /** Skip this many results first. */
  $skip?: number;
  /** Only these fields (the id field is always included). */
  $select?: string[];
  /** Sort by fields: `1` ascending, `-1` descending, in key order. */
  $sort?: Record<string, 1 | -1>;
  /** Equality on a field; values MUST be scalars (string, number, boolean or null), anything else is a 400. */
  [field: string]: unknown;
}

/**
 * Parameters passed to every service method, in Feathers' shape.
 *
 * `provider` is set for external calls (`'rest'`, `'socketio'`, `'ws'`...) and absent for internal ones.
 */
export interface Params {
  /** The query for `find` (and filters for `get`, `patch`, `remove`). */
  query?: Query;
  /** Set for external calls, absent for internal ones. */
  provider?: string;
  /** Set to `true` once the caller has been authenticated. */
  authenticated?: boolean;
  /** The authentication data of the call (strategy, accessToken...). */
  authentication?: Record<string, unknown>;
  /** Extra claims merged into the access token payload on login. */
  payload?: Record<string, unknown>;
  /** Anything else a caller passes along (the entity, the connection, headers...). */
  [key: string]: unknown;
}

/** An id value: entity ids round-trip as strings in `sub`. */
export type Id = string | number;

/** The events an {@link EntityService} emits after a change, so caches can invalidate. */
export type EntityServiceEvent = 'created' | 'patched' | 'removed';

/**
 * A store of entities (users, messages...), structurally compatible with a Feathers service:
 * a Feathers service object satisfies it unchanged.
 *
 * Contract (enforced by `@org/adapter-tests`):
 * - `get`, `patch` and `remove` of a missing id MUST reject with `NotFound`;
 * - a query value that is not a scalar where a scalar is expected MUST reject with `BadRequest`;
 * - a unique-field violation MUST reject with `Conflict`;
 * - after a successful `create`, `patch` or `remove` the service MUST emit `created`, `patched` or
 *   `removed` with the resulting record.
 */
export interface EntityService<T = Record<string, any>> {
  /** The name of the id field (`id`, `_id`...). */
  id?: string;
  /** One record by id. @throws NotFound when missing. */
  get(id: Id, params?: Params): Promise<T>;
  /**
   * All records matching `params.query`. The adapters of this toolkit resolve with an array; a paginating
   * Feathers service resolves with a page (`{ data, total, limit, skip }`), so callers MUST accept both.
   */
  find(params?: Params): Promise<T[] | { data: T[]; total?: number; limit?: number; skip?: number }>;
  /** Creates one record and resolves with it, id assigned. */
  create(data: Partial<T>, params?: Params): Promise<T>;
  /** Merges `data` into one record. @throws NotFound when missing. */
  patch(id: Id, data: Partial<T>, params?: Params): Promise<T>;
  /** Removes one record and resolves with it. @throws NotFound when missing. */
  remove(id: Id, params?: Params): Promise<T>;
  /** Subscribes to change events (Node's EventEmitter signature). */
  on?(event: EntityServiceEvent, listener: (record: T, ...rest: unknown[]) => void): unknown;
  /** Unsubscribes from change events. */
  off?(event: EntityServiceEvent, listener: (record: T, ...rest: unknown[]) => void): unknown;
}

/** Entity services by path (`users`, `api/users`...), as `app.service(path)` would return them. */
export type EntityServiceRegistry =
  Record<string, EntityService<any>> | ((path: string) => EntityService<any> | undefined);
