import { describe, expect, it } from 'vitest';
import { PEOPLE, idOf, missingId, rejection, seed, type SuiteContext } from '../context.ts';

export function eventCases(ctx: SuiteContext): void {
  if (!ctx.capabilities.events) return;
  describe('events', () => {
    function listen() {
      const seen: Array<[string, unknown]> = [];
      const listeners = {
        created: (r: unknown) => seen.push(['created', r]),
        patched: (r: unknown) => seen.push(['patched', r]),
        removed: (r: unknown) => seen.push(['removed', r]),
      };
      expect(typeof ctx.service.on).toBe('function');
      for (const [event, listener] of Object.entries(listeners)) ctx.service.on!(event as any, listener);
      return { seen, listeners };
    }

    it('emits created, patched and removed with the resulting record, before the call resolves', async () => {
      const { seen } = listen();
      const created = await ctx.service.create({ ...PEOPLE[0] });
      expect(seen).toEqual([['created', created]]);
      const patched = await ctx.service.patch(idOf(ctx, created), { age: 99 });
      expect(seen[1]).toEqual(['patched', patched]);
      const removed = await ctx.service.remove(idOf(ctx, created));
      expect(seen[2]).toEqual(['removed', removed]);
      expect(seen).toHaveLength(3);
    });

    it('emits nothing for a call that fails', async () => {
      await seed(ctx);
      const { seen } = listen();
      await rejection(ctx.service.patch(missingId(ctx), { age: 1 }));
      await rejection(ctx.service.remove(missingId(ctx)));
      await rejection(ctx.service.find({ query: { email: { $ne: null } } }));
      expect(seen).toEqual([]);
    });

    it('a listener mutating the event record never changes the store', async () => {
      const { seen } = listen();
      const created = await ctx.service.create({ ...PEOPLE[0] });
      (seen[0]![1] as Record<string, unknown>).name = 'Mallory';
      expect((await ctx.service.get(idOf(ctx, created))).name).toBe('Ada');
    });

    it('off removes a listener', async () => {
      const { seen, listeners } = listen();
      expect(typeof ctx.service.off).toBe('function');
      ctx.service.off!('created', listeners.created);
      await ctx.service.create({ ...PEOPLE[0] });
      expect(seen).toEqual([]);
    });
  });
}
