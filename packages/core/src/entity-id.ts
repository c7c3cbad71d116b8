import type { Id } from './entity-service.ts';

/**
 * Normalises an id for a store whose ids are of `idType`: a JWT `sub` is always a string, so `"42"`
 * reaches a numeric store as `42` and `42` a string store as `"42"`.
 *
 * @param id - The id a caller passed (often `payload.sub`).
 * @param idType - The type of the store's ids.
 * @returns The id in the store's type, or `undefined` when no record can have it (a store answers
 *   `NotFound` for those).
 */
export function normaliseId(id: unknown, idType: 'string' | 'number'): Id | undefined {
  if (idType === 'string') {
    return typeof id === 'string'
      ? id
      : typeof id === 'number' && Number.isFinite(id)
        ? String(id)
        : undefined;
  }
  const n = typeof id === 'string' && /^-?(0|[1-9][0-9]{0,15})$/.test(id) ? Number(id) : id;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}
