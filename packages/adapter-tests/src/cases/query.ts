import { describe, expect, it } from 'vitest';
import { findAll, idOf, names, seed, type SuiteContext } from '../context.ts';

export function queryCases(ctx: SuiteContext): void {
  describe('find: equality', () => {
    it('matches a string field', async () => {
      await seed(ctx);
      expect(names(await findAll(ctx, { team: 'blue' }))).toEqual(['Bob', 'Cyd']);
    });

    it('matches a number field, without coercing strings', async () => {
      await seed(ctx);
      expect(names(await findAll(ctx, { age: 36 }))).toEqual(['Ada', 'Cyd']);
      expect(await findAll(ctx, { age: '36' })).toEqual([]);
    });

    it('matches a boolean field, without coercing numbers', async () => {
      await seed(ctx);
      expect(names(await findAll(ctx, { active: false }))).toEqual(['Bob', 'Dee']);
      expect(await findAll(ctx, { active: 0 })).toEqual([]);
    });

    it('matches null against null and missing fields', async () => {
      await seed(ctx);
      expect(names(await findAll(ctx, { nickname: null }))).toEqual(['Ada', 'Bob', 'Cyd', 'Dee']);
      expect(await findAll(ctx, { name: null })).toEqual([]);
    });

    it('requires every condition (AND)', async () => {
      await seed(ctx);
      expect(names(await findAll(ctx, { team: 'red', active: false }))).toEqual(['Dee']);
      expect(await findAll(ctx, { team: 'red', age: 25 })).toEqual([]);
    });

    it('matches a nested field by dot path', async () => {
      await seed(ctx);
      expect(names(await findAll(ctx, { 'profile.city': 'Paris' }))).toEqual(['Cyd']);
      expect(await findAll(ctx, { 'profile.city': 'Rome' })).toEqual([]);
    });

    it('matches the id field, given as a string too', async () => {
      const [, bob] = await seed(ctx);
      expect(await findAll(ctx, { [ctx.idField]: idOf(ctx, bob!) })).toEqual([bob]);
      expect(await findAll(ctx, { [ctx.idField]: String(idOf(ctx, bob!)) })).toEqual([bob]);
    });

    it('ignores keys whose value is undefined', async () => {
      await seed(ctx);
      expect(names(await findAll(ctx, { team: 'red', age: undefined }))).toEqual(['Ada', 'Dee']);
    });
  });

  describe('find: $limit, $skip, $select, $sort', () => {
    it('$limit caps the result; $limit 0 finds nothing', async () => {
      await seed(ctx);
      expect(names(await findAll(ctx, { $limit: 2 }))).toEqual(['Ada', 'Bob']);
      expect(await findAll(ctx, { $limit: 0 })).toEqual([]);
      expect(names(await findAll(ctx, { $limit: '3' }))).toEqual(['Ada', 'Bob', 'Cyd']);
    });

    it('$skip skips the first records', async () => {
      await seed(ctx);
      expect(names(await findAll(ctx, { $skip: 1 }))).toEqual(['Bob', 'Cyd', 'Dee']);
      expect(names(await findAll(ctx, { $skip: 1, $limit: 2 }))).toEqual(['Bob', 'Cyd']);
      expect(await findAll(ctx, { $skip: 10 })).toEqual([]);
    });

    it('$select returns only those fields, always with the id', async () => {
      const [ada] = await seed(ctx);
      const [first] = await findAll(ctx, { $select: ['name', 'age'], $limit: 1 });
      expect(first).toEqual({ [ctx.idField]: idOf(ctx, ada!), name: 'Ada', age: 36 });
      const [onlyId] = await findAll(ctx, { $select: [], $limit: 1 });
      expect(onlyId).toEqual({ [ctx.idField]: idOf(ctx, ada!) });
    });

    it('$select leaves out fields a record does not have', async () => {
      await seed(ctx);
      const records = await findAll(ctx, { $select: ['profile'] });
      expect(records.map((r) => Object.keys(r).sort())).toEqual([
        [ctx.idField],
        [ctx.idField],
        [ctx.idField, 'profile'].sort(),
        [ctx.idField],
      ]);
    });

    it('$sort ascending and descending', async () => {
      await seed(ctx);
      expect(names(await findAll(ctx, { $sort: { age: 1, name: 1 } }))).toEqual(['Dee', 'Bob', 'Ada', 'Cyd']);
      expect(names(await findAll(ctx, { $sort: { name: -1 } }))).toEqual(['Dee', 'Cyd', 'Bob', 'Ada']);
      expect(names(await findAll(ctx, { $sort: { name: '1' } }))).toEqual(['Ada', 'Bob', 'Cyd', 'Dee']);
    });

    it('$sort on several keys, in the order given', async () => {
      await seed(ctx);
      expect(names(await findAll(ctx, { $sort: { age: -1, name: 1 } }))).toEqual([
        'Ada',
        'Cyd',
        'Bob',
        'Dee',
      ]);
      expect(names(await findAll(ctx, { $sort: { age: -1, name: -1 } }))).toEqual([
        'Cyd',
        'Ada',
        'Bob',
        'Dee',
      ]);
      expect(names(await findAll(ctx, { $sort: { team: 1, age: -1 } }))).toEqual([
        'Cyd',
        'Bob',
        'Ada',
        'Dee',
      ]);
    });

    it('$sort puts missing values first ascending and last descending', async () => {
      await seed(ctx);
      await ctx.service.create({ name: 'Eve', email: 'eve@example.com', username: 'eve', nickname: 'E' });
      await ctx.service.create({ name: 'Fay', email: 'fay@example.com', username: 'fay', nickname: 'A' });
      expect(names(await findAll(ctx, { $sort: { nickname: 1 } })).slice(-2)).toEqual(['Fay', 'Eve']);
      expect(names(await findAll(ctx, { $sort: { nickname: -1 } })).slice(0, 2)).toEqual(['Eve', 'Fay']);
    });

    it('filters, then sorts, then skips, then limits', async () => {
      await seed(ctx);
      const query = { active: true, $sort: { name: -1 }, $skip: 1, $limit: 5, $select: ['name'] };
      expect(names(await findAll(ctx, query))).toEqual(['Ada']);
    });
  });

  describe('get, patch and remove honour query filters', () => {
    it('a record that does not match the filters is not found', async () => {
      const [ada] = await seed(ctx);
      const id = idOf(ctx, ada!);
      expect(await ctx.service.get(id, { query: { team: 'red' } })).toEqual(ada);
      await expect(ctx.service.get(id, { query: { team: 'blue' } })).rejects.toMatchObject({ code: 404 });
      await expect(ctx.service.patch(id, { age: 1 }, { query: { team: 'blue' } })).rejects.toMatchObject({
        code: 404,
      });
      await expect(ctx.service.remove(id, { query: { team: 'blue' } })).rejects.toMatchObject({ code: 404 });
      expect(await ctx.service.get(id)).toEqual(ada);
    });
  });
}
