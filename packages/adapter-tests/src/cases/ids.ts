import { BadRequest, GeneralError } from '@org/core';
import { describe, expect, it } from 'vitest';
import { PEOPLE, findAll, idOf, names, rejection, seed, type SuiteContext } from '../context.ts';

const MAX = Number.MAX_SAFE_INTEGER;

// Ids round-trip through JavaScript numbers (and JWT `sub` strings): an id beyond the safe integer range
// rounds onto another record's id, so it is refused when given and never generated.
export function idCases(ctx: SuiteContext): void {
  describe('ids stay exact', () => {
    it('an external create that carries an id is refused: the store assigns ids', async () => {
      const id = ctx.capabilities.idType === 'number' ? 4242 : 'chosen-by-client';
      const error = await rejection(
        ctx.service.create({ ...PEOPLE[0], [ctx.idField]: id }, { provider: 'rest' }),
      );
      expect(error).toBeInstanceOf(BadRequest);
      expect(error.code).toBe(400);
      expect(await findAll(ctx)).toEqual([]);
      const created = await ctx.service.create({ ...PEOPLE[0] }, { provider: 'rest' });
      expect(idOf(ctx, created)).not.toBe(id);
    });

    if (ctx.capabilities.idType !== 'number') return;

    for (const id of [MAX + 1, MAX + 2, -(MAX + 1), 1e300, '9007199254740993', 1.5]) {
      it(`refuses the id ${String(id)}, outside the safe integer range`, async () => {
        const error = await rejection(ctx.service.create({ ...PEOPLE[0], [ctx.idField]: id }));
        expect(error).toBeInstanceOf(BadRequest);
        expect(await findAll(ctx)).toEqual([]);
      });
    }

    it('after an internal create with id 2^53 - 1, generated ids are refused, never rounded onto it', async () => {
      const [ada] = await seed(ctx);
      const top = await ctx.service.create({
        ...PEOPLE[1],
        email: 'top@example.com',
        username: 'top',
        [ctx.idField]: MAX,
      });
      expect(idOf(ctx, top)).toBe(MAX);
      for (let attempt = 0; attempt < 3; attempt++) {
        const error = await rejection(
          ctx.service.create({ ...PEOPLE[2], email: `n${attempt}@example.com`, username: `n${attempt}` }),
        );
        expect(error).toBeInstanceOf(GeneralError);
        expect(error.code).toBe(500);
      }
      expect(await ctx.service.get(MAX)).toEqual(top);
      expect(await ctx.service.get(String(MAX))).toEqual(top);
      expect(await ctx.service.get(idOf(ctx, ada!))).toEqual(ada);
      expect(names(await findAll(ctx))).toEqual(['Ada', 'Bob', 'Cyd', 'Dee', 'Bob']);
    });

    it('an internal create with id 2^53 - 2 leaves exactly one generated id', async () => {
      await ctx.service.create({ ...PEOPLE[0], [ctx.idField]: MAX - 1 });
      const last = await ctx.service.create({ ...PEOPLE[1] });
      expect(idOf(ctx, last)).toBe(MAX);
      expect(await ctx.service.get(MAX)).toEqual(last);
      const error = await rejection(ctx.service.create({ ...PEOPLE[2] }));
      expect(error).toBeInstanceOf(GeneralError);
      expect(await findAll(ctx)).toHaveLength(2);
    });
  });
}
