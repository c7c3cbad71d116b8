import { BadRequest, NotFound } from '@org/core';
import { describe, expect, it } from 'vitest';
import { findAll, idOf, missingId, rejection, seed, type SuiteContext } from '../context.ts';

export function errorCases(ctx: SuiteContext): void {
  describe('NotFound on a missing id', () => {
    const calls = {
      get: (ctx: SuiteContext, id: any) => ctx.service.get(id),
      patch: (ctx: SuiteContext, id: any) => ctx.service.patch(id, { name: 'x' }),
      remove: (ctx: SuiteContext, id: any) => ctx.service.remove(id),
    };
    for (const [method, call] of Object.entries(calls)) {
      it(`${method} rejects with NotFound (404, not-found)`, async () => {
        await seed(ctx);
        const id = missingId(ctx);
        const error = await rejection(call(ctx, id));
        expect(error).toBeInstanceOf(NotFound);
        expect(error).toMatchObject({ name: 'NotFound', code: 404, reason: 'not-found' });
        expect(error.message).toBe(`No record found for id '${id}'`);
        expect(await findAll(ctx)).toHaveLength(4);
      });

      it(`${method} of a removed record rejects with NotFound`, async () => {
        const [ada] = await seed(ctx);
        await ctx.service.remove(idOf(ctx, ada!));
        const error = await rejection(call(ctx, String(idOf(ctx, ada!))));
        expect(error).toBeInstanceOf(NotFound);
        expect(error.code).toBe(404);
      });
    }

    it('an id string that cannot be an id of this store is not found', async () => {
      await seed(ctx);
      const error = await rejection(ctx.service.get(ctx.capabilities.idType === 'number' ? 'abc' : 'zzz'));
      expect(error).toBeInstanceOf(NotFound);
      expect(error.reason).toBe('not-found');
    });
  });

  describe('query values are scalars, never operators', () => {
    const invalid: Record<string, Record<string, unknown>> = {
      'an operator object ($ne)': { email: { $ne: null } },
      'an operator object ($gt)': { age: { $gt: 0 } },
      'an operator object ($in)': { username: { $in: ['ada', 'bob'] } },
      'an array': { username: ['ada', 'bob'] },
      'an empty object': { email: {} },
      'a function': { email: () => true },
      'a date': { email: new Date(0) },
      'a regular expression': { email: /ada/ },
      NaN: { age: Number.NaN },
      'an unknown $ operator': { $or: [{ username: 'ada' }] },
      $where: { $where: 'true' },
      'a negative $limit': { $limit: -1 },
      'a non-numeric $limit': { $limit: 'all' },
      'a fractional $skip': { $skip: 1.5 },
      '$select as a string': { $select: 'email' },
      '$select with a dotted field': { $select: ['profile.city'] },
      '$sort with a bad direction': { $sort: { name: 2 } },
      '$sort as an array': { $sort: ['name'] },
      'a __proto__ key (as JSON.parse makes it)': JSON.parse('{"__proto__": "x"}'),
      'a constructor key': { constructor: 'x' },
      'a field with a quote': { 'a"b': 'x' },
    };
    for (const [label, query] of Object.entries(invalid)) {
      it(`find rejects ${label} with BadRequest (400, invalid-query)`, async () => {
        await seed(ctx);
        const error = await rejection(ctx.service.find({ query }));
        expect(error).toBeInstanceOf(BadRequest);
        expect(error).toMatchObject({ name: 'BadRequest', code: 400, reason: 'invalid-query' });
      });
    }

    it('the login-body attack ({ email: { $ne: null } }) never matches the first user', async () => {
      await seed(ctx);
      const error = await rejection(ctx.service.find({ query: { email: { $ne: null }, $limit: 1 } }));
      expect(error.message).toBe('The query value of "email" must be a string, number, boolean or null');
    });

    it('get, patch and remove validate their query filters too', async () => {
      const [ada] = await seed(ctx);
      const id = idOf(ctx, ada!);
      const query = { email: { $ne: null } };
      for (const call of [
        ctx.service.get(id, { query }),
        ctx.service.patch(id, { name: 'x' }, { query }),
        ctx.service.remove(id, { query }),
      ]) {
        const error = await rejection(call);
        expect(error).toBeInstanceOf(BadRequest);
        expect(error.reason).toBe('invalid-query');
      }
      expect(await ctx.service.get(id)).toEqual(ada);
    });

    it('a query that is not an object is rejected', async () => {
      const error = await rejection(ctx.service.find({ query: 'email=x' as any }));
      expect(error).toBeInstanceOf(BadRequest);
      expect(error.reason).toBe('invalid-query');
    });
  });
}
