import { BadRequest } from '@org/core';

/**
 * Copies caller data through JSON, so the memory store keeps exactly what a SQL store would
 * (no `undefined`, dates as strings, no shared references) and never holds a caller's object.
 */
export function toRecordData(data: unknown): Record<string, unknown> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new BadRequest('The data must be an object');
  }
  let copy: unknown;
  try {
    copy = JSON.parse(JSON.stringify(data));
  } catch {
    throw new BadRequest('The data must be JSON-serialisable');
  }
  return copy as Record<string, unknown>;
}
