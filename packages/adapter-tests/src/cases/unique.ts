import { Conflict } from '@org/core';
import { describe, expect, it } from 'vitest';
import { PEOPLE, findAll, idOf, names, rejection, seed, type SuiteContext } from '../context.ts';

export function uniqueCases(ctx: SuiteContext): void {
  for (const field of ctx.capabilities.uniqueFields) {
    describe(`unique field "${field}"`, () => {
      it('create with a taken value rejects with Conflict (409, conflict) and stores nothing', async () => {
        await seed(ctx);
        const error = await rejection(
          ctx.service.create({
            ...PEOPLE[1],
            name: 'Imposter',
            email: 'new@example.com',
            username: 'new',
            [field]: PEOPLE[0]![field],
          }),
        );
        expect(error).toBeInstanceOf(Conflict);
        expect(error).toMatchObject({ name: 'Conflict', code: 409, reason: 'conflict' });
        expect(error.message).toBe(`A record with this ${field} already exists`);
        expect(error.message).not.toContain(PEOPLE[0]![field]);
        expect(names(await findAll(ctx))).toEqual(['Ada', 'Bob', 'Cyd', 'Dee']);
      });

      it('for an external caller the Conflict is generic: neither the field nor the value is named', async () => {
        const [, bob] = await seed(ctx);
        const taken = {
          ...PEOPLE[1],
          name: 'Imposter',
          email: 'new@example.com',
          username: 'new',
          [field]: PEOPLE[0]![field],
        };
        const errors = [
          await rejection(ctx.service.create(taken, { provider: 'rest' })),
          await rejection(
            ctx.service.patch(idOf(ctx, bob!), { [field]: PEOPLE[0]![field] }, { provider: 'rest' }),
          ),
        ];
        for (const error of errors) {
          expect(error).toBeInstanceOf(Conflict);
          expect(error.toJSON()).toEqual({
            name: 'Conflict',
            message: 'A record with these values already exists',
            code: 409,
            className: 'conflict',
            data: { reason: 'conflict' },
          });
        }
        expect(names(await findAll(ctx))).toEqual(['Ada', 'Bob', 'Cyd', 'Dee']);
      });

      it('patch to a taken value rejects with Conflict and changes nothing', async () => {
        const [, bob] = await seed(ctx);
        const error = await rejection(
          ctx.service.patch(idOf(ctx, bob!), { name: 'Bobby', [field]: PEOPLE[0]![field] }),
        );
        expect(error).toBeInstanceOf(Conflict);
        expect(error.code).toBe(409);
        expect(await ctx.service.get(idOf(ctx, bob!))).toEqual(bob);
      });

      it('patching a record with its own value, or a free one, is fine', async () => {
        const [ada] = await seed(ctx);
        const id = idOf(ctx, ada!);
        expect(await ctx.service.patch(id, { [field]: PEOPLE[0]![field], age: 1 })).toEqual({
          ...ada,
          age: 1,
        });
        expect((await ctx.service.patch(id, { [field]: 'free-value' }))[field]).toBe('free-value');
      });

      it('a removed record frees its value', async () => {
        const [ada] = await seed(ctx);
        await ctx.service.remove(idOf(ctx, ada!));
        const again = await ctx.service.create({ ...PEOPLE[0] });
        expect(again[field]).toBe(PEOPLE[0]![field]);
      });

      it('records without the field never conflict', async () => {
        const a = await ctx.service.create({
          name: 'No1',
          email: 'n1@example.com',
          username: 'n1',
          [field]: undefined,
        });
        const b = await ctx.service.create({
          name: 'No2',
          email: 'n2@example.com',
          username: 'n2',
          [field]: null,
        });
        const c = await ctx.service.create({
          name: 'No3',
          email: 'n3@example.com',
          username: 'n3',
          [field]: null,
        });
        expect(new Set([a, b, c].map((r) => String(idOf(ctx, r)))).size).toBe(3);
      });

      it('concurrent creates of the same value: exactly one wins, the others get 409', async () => {
        const attempts = Array.from({ length: 20 }, (_, i) =>
          ctx.service.create({
            name: `Racer ${i}`,
            email: `racer${i}@example.com`,
            username: `racer${i}`,
            [field]: 'taken',
          }),
        );
        const settled = await Promise.allSettled(attempts);
        const won = settled.filter((s) => s.status === 'fulfilled');
        const lost = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(19);
        for (const error of lost) {
          expect(error).toBeInstanceOf(Conflict);
          expect(error.code).toBe(409);
        }
        expect(await findAll(ctx, { [field]: 'taken' })).toHaveLength(1);
      });
    });
  }

  it('the id is unique: creating with a taken id rejects with Conflict', async () => {
    const [ada] = await seed(ctx);
    const error = await rejection(
      ctx.service.create({
        name: 'Twin',
        email: 'twin@example.com',
        username: 'twin',
        [ctx.idField]: idOf(ctx, ada!),
      }),
    );
    expect(error).toBeInstanceOf(Conflict);
    expect(error.message).toBe(`A record with this ${ctx.idField} already exists`);
    expect(await ctx.service.get(idOf(ctx, ada!))).toEqual(ada);
  });
}
