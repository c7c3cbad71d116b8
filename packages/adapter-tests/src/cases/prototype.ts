import { describe, expect, it } from 'vitest';
import { findAll, idOf, seed, type SuiteContext } from '../context.ts';
import { prototypeAttackBodies, prototypeFindings } from '../prototype-findings.ts';

// Invariant 11: `__proto__`, `constructor` and `prototype` keys from a body are dropped at the adapter
// boundary, so no result (and no later copy of one) ever inherits `isAdmin`.
function expectClean(record: Record<string, any>): void {
  expect(prototypeFindings(record)).toEqual([]);
  expect(record.isAdmin).toBeUndefined();
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
}

export function prototypeCases(ctx: SuiteContext): void {
  describe('data never supplies a prototype', () => {
    for (const [label, body] of prototypeAttackBodies({ name: 'Eve', email: 'eve@example.com' })) {
      it(`create drops ${label}`, async () => {
        const created = await ctx.service.create(body);
        expectClean(created);
        expectClean(await ctx.service.get(idOf(ctx, created)));
        for (const found of await findAll(ctx)) expectClean(found);
        // A later merge of the stored record with assignment semantics must not find the key either.
        expectClean(Object.assign({}, await ctx.service.get(idOf(ctx, created))));
      });

      it(`patch drops ${label}`, async () => {
        const [ada] = await seed(ctx);
        const { name: _name, email: _email, ...attack } = body;
        const patched = await ctx.service.patch(idOf(ctx, ada!), attack);
        expectClean(patched);
        expectClean(await ctx.service.get(idOf(ctx, ada!)));
        expectClean(Object.assign({}, await ctx.service.get(idOf(ctx, ada!))));
      });
    }

    it('keeps every other field of such a body', async () => {
      const body = JSON.parse(
        '{"name":"Eve","profile":{"city":"Paris","__proto__":{"x":1}},"tags":["a",{"constructor":{"x":1},"k":2}]}',
      ) as Record<string, unknown>;
      const created = await ctx.service.create(body);
      expect(created).toEqual({
        name: 'Eve',
        profile: { city: 'Paris' },
        tags: ['a', { k: 2 }],
        [ctx.idField]: idOf(ctx, created),
      });
    });
  });
}
