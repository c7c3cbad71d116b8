import { BadRequest } from './errors.ts';

/**
 * Copies caller data through JSON for an entity store, so every adapter keeps exactly what a SQL
 * store would (no `undefined`, dates as strings, no shared references) and never holds a caller's object.
 *
 * @param data - The `create` or `patch` data.
 * @returns A plain JSON copy.
 * @throws BadRequest when the data is not a JSON-serialisable object.
 */
export function toRecordData(data: unknown): Record<string, unknown> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new BadRequest('The data must be an object');
  }
  try {
    return JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
  } catch {
    throw new BadRequest('The data must be JSON-serialisable');
  }
}
