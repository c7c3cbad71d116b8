import { BadRequest, Unavailable } from '@org/core';

/** One stored entry: the record id and its opaque value (the ring stores sealed JSON records). */
export interface KeyStoreEntry {
  id: string;
  value: string;
}

/**
 * Where a key ring keeps its records. Values are opaque strings; the ring encrypts and MACs them, so a
 * store needs no trust, only these semantics (checked by `runKeyStoreConformance` for every implementation):
 *
 * - `createIfAbsent` MUST be atomic across every process sharing the store: of N concurrent calls for one
 *   id, exactly one returns `true` and every later `get` returns that caller's value.
 * - `update` with `expected` MUST be an atomic compare-and-set; without it, it overwrites an existing
 *   entry only. It never creates.
 * - Ids match `/^[A-Za-z0-9:._~-]{1,200}$/`; other ids throw `BadRequest` before touching the backend.
 * - A backend failure rejects with `Unavailable` (`store-unavailable`), never with a raw driver error.
 */
export interface KeyStore {
  /**
   * The namespace this handle reads and writes. The ring binds every record it writes to it (in the
   * record's MAC), so a record copied into another namespace does not open there: give each ring its own.
   * Stores of other versions or authors may omit it.
   * @defaultValue `'keys'`
   */
  readonly namespace?: string;
  /** The value stored under `id`, or `undefined`. */
  get(id: string): Promise<string | undefined>;
  /** Every entry of this store's namespace, in no particular order. */
  list(): Promise<KeyStoreEntry[]>;
  /**
   * Stores `value` under `id` unless the id exists.
   * @returns `true` when this call created the entry.
   */
  createIfAbsent(id: string, value: string): Promise<boolean>;
  /**
   * Replaces the value of an existing entry; with `expected`, only when the current value equals it.
   * @returns `true` when the value was replaced.
   */
  update(id: string, value: string, expected?: string): Promise<boolean>;
  /**
   * Removes an entry.
   * @returns `true` when it existed.
   */
  delete(id: string): Promise<boolean>;
  /** Releases connections the store opened itself (never ones it was given). Idempotent. */
  close(): Promise<void>;
}

const ID = /^[A-Za-z0-9:._~-]{1,200}$/;

/**
 * The namespace a ring binds its records to: the store's, `'keys'` for a store that names none.
 * @throws BadRequest (`invalid-configuration`) for a namespace that is not a non-empty string.
 * @internal
 */
export function storeNamespace(store: KeyStore): string {
  const namespace = store.namespace ?? 'keys';
  if (typeof namespace !== 'string' || namespace === '') {
    throw new BadRequest('Invalid key store namespace: a non-empty string', {
      reason: 'invalid-configuration',
    });
  }
  return namespace;
}

/**
 * Throws `BadRequest` for an id outside the store alphabet.
 * @internal
 */
export function assertStoreId(id: string): void {
  if (typeof id !== 'string' || !ID.test(id))
    throw new BadRequest('Invalid key store id', { reason: 'bad-request' });
}

/** Default of every store's `timeout` option, in milliseconds. @internal */
export const DEFAULT_STORE_TIMEOUT = 5000;

/** The error of a failed or timed-out store call. */
function unavailable(cause: unknown): Unavailable {
  return new Unavailable('Key store unavailable', { reason: 'store-unavailable', cause });
}

/**
 * Runs a backend operation, mapping any driver failure to `Unavailable` (`store-unavailable`). With a
 * deadline, a call that has not settled after `timeout` ms rejects the same way (after `onExpired`, which
 * drops the connection the call was stuck on): a client that lost its server may never settle by itself.
 * @internal
 */
export async function storeCall<T>(
  operation: () => Promise<T>,
  deadline?: { timeout: number; onExpired?: () => void },
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired =
    deadline &&
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        deadline.onExpired?.();
        reject(unavailable(new Error(`no answer within ${deadline.timeout} ms`)));
      }, deadline.timeout);
    });
  try {
    const running = Promise.resolve().then(operation);
    return await (expired ? Promise.race([running, expired]) : running);
  } catch (error) {
    if (error instanceof BadRequest || error instanceof Unavailable) throw error;
    throw unavailable(error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves when `work` settles or after `timeout` ms, whichever comes first; never rejects.
 * @internal
 */
export async function settleWithin(work: Promise<unknown>, timeout: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, timeout))),
  ]);
  clearTimeout(timer);
}

/**
 * Validates a store's `timeout` option (milliseconds).
 * @internal
 */
export function assertTimeout(timeout: number | undefined): number {
  if (timeout === undefined) return DEFAULT_STORE_TIMEOUT;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
    throw new BadRequest('Invalid key store timeout: use a positive number of milliseconds', {
      reason: 'invalid-configuration',
    });
  }
  return timeout;
}

/**
 * Validates a namespace or table name used to build SQL identifiers and key prefixes.
 * @internal
 */
export function assertName(name: string, what: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new BadRequest(`Invalid ${what}: use 1-63 characters of A-Z a-z 0-9 _`, {
      reason: 'invalid-configuration',
    });
  }
  return name;
}
