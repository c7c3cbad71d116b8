import { MemoryService, type MemoryAdapterOptions } from './memory-service.ts';

/**
 * Creates an in-memory entity store ({@link MemoryService}).
 *
 * @param options - Id field and type, unique fields, initial records.
 * @returns A fresh, empty (or seeded) service.
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
  options?: MemoryAdapterOptions,
): MemoryService<T> {
  return new MemoryService<T>(options);
}
