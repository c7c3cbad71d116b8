import { BadRequest, Conflict } from '@org/core';
import { describe, expect, it } from 'vitest';
import { MemoryService } from './memory-service.ts';
import { memoryAdapter } from './memory-adapter.ts';

describe('memoryAdapter options', () => {
  it('rejects an unknown option with a did-you-mean hint', () => {
    const attempt = () => memoryAdapter({ uniqueField: ['email'] } as any);
    expect(attempt).toThrow(BadRequest);
    expect(attempt).toThrow(
      'memoryAdapter: unknown option "uniqueField" (did you mean "uniqueFields"?); known options: id, idType, uniqueFields, records',
    );
    try {
      attempt();
    } catch (error) {
      expect((error as BadRequest).reason).toBe('invalid-configuration');
    }
  });

  it('rejects invalid values', () => {
    expect(() => memoryAdapter({ id: '' })).toThrow('memoryAdapter: `id` must be a field name');
    expect(() => memoryAdapter({ idType: 'uuid' as any })).toThrow('`idType` must be "number" or "string"');
    expect(() => memoryAdapter({ uniqueFields: 'email' as any })).toThrow('`uniqueFields` must be an array');
    for (const records of [5, 'ab', { id: 1 }]) {
      const attempt = () => memoryAdapter({ records: records as any });
      expect(attempt).toThrow(BadRequest);
      expect(attempt).toThrow('memoryAdapter: `records` must be an array of records');
    }
  });

  it('is a MemoryService with the configured id field', () => {
    const service = memoryAdapter({ id: '_id' });
    expect(service).toBeInstanceOf(MemoryService);
    expect(service.id).toBe('_id');
  });

  it('seeds records, continuing numeric ids after the highest', async () => {
    const service = memoryAdapter({ records: [{ id: 7, name: 'a' }], uniqueFields: ['name'] });
    expect(await service.get(7)).toEqual({ id: 7, name: 'a' });
    expect(await service.create({ name: 'b' })).toEqual({ id: 8, name: 'b' });
    expect(() => memoryAdapter({ records: [{ id: 1 }, { id: 1 }] })).toThrow(Conflict);
  });

  it('stores JSON values: undefined dropped, dates as strings', async () => {
    const service = memoryAdapter();
    const created = await service.create({ a: undefined, at: new Date(0) });
    expect(created).toEqual({ id: 1, at: '1970-01-01T00:00:00.000Z' });
    expect(Object.keys(created)).not.toContain('a');
  });

  it('rejects data that is not a JSON object', async () => {
    const service = memoryAdapter();
    await expect(service.create([] as any)).rejects.toThrow('The data must be an object');
    await expect(service.create({ n: 1n } as any)).rejects.toThrow('The data must be JSON-serialisable');
    await expect(service.get({} as any)).rejects.toThrow('Invalid id');
  });

  it('startId sets the first number id, as in Feathers; a later caller-chosen id still moves it on', async () => {
    const service = memoryAdapter({ startId: 100 });
    expect((await service.create({ n: 1 })).id).toBe(100);
    expect((await service.create({ n: 2 })).id).toBe(101);
    await service.create({ id: 500, n: 3 });
    expect((await service.create({ n: 4 })).id).toBe(501);
    expect(() => memoryAdapter({ startId: 1.5 })).toThrow('memoryAdapter: `startId` must be a safe integer');
  });

  it.each([{ default: 0 }, { default: 5, max: 2 }, { max: -1 }, { size: 10 }, 'ten', null])(
    'refuses paginate %o at construction',
    (paginate) => {
      expect(() => memoryAdapter({ paginate: paginate as any })).toThrow(
        'memoryAdapter: `paginate` must be { default?, max? } of positive integers with default <= max',
      );
    },
  );
});
