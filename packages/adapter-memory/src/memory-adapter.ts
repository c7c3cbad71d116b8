import type { PaginateOptions } from '@org/core';
import { MemoryService, type MemoryAdapterOptions } from './memory-service.ts';

/**
 * Creates an in-memory entity store ({@link MemoryService}).
 *
 * @param options - Id field and type, unique fields, initial records, pagination, first id.
 * @returns A fresh, empty (or seeded) service; with `paginate`, its `find` resolves with pages.
 * @throws BadRequest (`invalid-configuration`) for an unknown option or an invalid value.
 * @example
 * ```ts
 * import { memoryAdapter } from '@org/adapter-memory';
 *
 * const users = memoryAdapter({ uniqueFields: ['email'] });
 * await users.create({ email: 'ada@example.com', password: hash });
 * ```
 */
export function memoryAdapter<T extends Record<string, any> = Record<string, any>>(
  options: MemoryAdapterOptions & { paginate: PaginateOptions },
): MemoryService<T, true>;
export function memoryAdapter<T extends Record<string, any> = Record<string, any>>(
  options?: MemoryAdapterOptions,
): MemoryService<T>;
export function memoryAdapter<T extends Record<string, any> = Record<string, any>>(
  options?: MemoryAdapterOptions,
): MemoryService<T, boolean> {
  return new MemoryService<T, boolean>(options);
}
