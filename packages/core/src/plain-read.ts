import type { EntityService } from './entity-service.ts';

/**
 * Marks an entity service's `get` method as a plain read: set it to `true` on the method function
 * itself (`Object.defineProperty(MyService.prototype.get, PLAIN_READ, { value: true })`).
 *
 * A plain read MUST resolve with a fresh copy of the stored record that depends only on the id and
 * `params.query`: no hooks, no field hidden or added by `provider` or any other param, no side effect.
 * Then the JWT strategy's second, external read of the entity (made so that the service's hooks see an
 * external call, as in Feathers) would return what its internal read already did, and is skipped.
 *
 * The mark is on the function, not the service: a wrapper that replaces `get` (Feathers' hooks,
 * `wrapService`, a subclass's override, a test spy) installs another function and so drops it.
 *
 * @example
 * ```ts
 * import { PLAIN_READ } from '@org/core';
 *
 * class MapStore {
 *   async get(id: string) {
 *     return { id };
 *   }
 * }
 * Object.defineProperty(MapStore.prototype.get, PLAIN_READ, { value: true });
 * ```
 */
export const PLAIN_READ: unique symbol = Symbol.for('@org/core/plain-read');

/**
 * Whether the service's current `get` carries the {@link PLAIN_READ} mark.
 * @param service - An entity service.
 */
export function isPlainRead(service: EntityService<any>): boolean {
  const get = service.get as unknown as Record<PropertyKey, unknown> | undefined;
  return typeof get === 'function' && get[PLAIN_READ] === true;
}
