import { describe, expect, it } from 'vitest';
import { findAll, idOf, type SuiteContext } from '../context.ts';

export function concurrencyCases(ctx: SuiteContext): void {
  describe('concurrency', () => {
    it('50 concurrent creates never lose a write', async () => {
      const created = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          ctx.service.create({
            name: `User ${i}`,
            email: `user${i}@example.com`,
            username: `user${i}`,
            n: i,
          }),
        ),
      );
      expect(new Set(created.map((r) => String(idOf(ctx, r)))).size).toBe(50);
      const stored = await findAll(ctx);
      expect(stored).toHaveLength(50);
      expect(stored.map((r) => r.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    });

    it('concurrent patches of different fields of one record all land', async () => {
      const record = await ctx.service.create({ name: 'Shared', email: 's@example.com', username: 's' });
      const id = idOf(ctx, record);
      await Promise.all(Array.from({ length: 10 }, (_, i) => ctx.service.patch(id, { [`f${i}`]: i })));
      const stored = await ctx.service.get(id);
      for (let i = 0; i < 10; i++) expect(stored[`f${i}`]).toBe(i);
    });
  });
}
