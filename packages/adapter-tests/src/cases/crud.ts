import { describe, expect, it } from 'vitest';
import { PEOPLE, findAll, idOf, names, seed, type SuiteContext } from '../context.ts';

export function crudCases(ctx: SuiteContext): void {
  describe('create', () => {
    it('resolves with the data and an id of the declared type', async () => {
      const created = await ctx.service.create({ ...PEOPLE[0] });
      expect(created).toEqual({ ...PEOPLE[0], [ctx.idField]: expect.anything() });
      expect(typeof idOf(ctx, created)).toBe(ctx.capabilities.idType);
    });

    it('assigns a distinct id to every record', async () => {
      const created = await seed(ctx);
      const ids = created.map((r) => String(idOf(ctx, r)));
      expect(new Set(ids).size).toBe(PEOPLE.length);
    });

    it('keeps an id the caller provides, and later ids do not collide with it', async () => {
      const id = ctx.capabilities.idType === 'number' ? 4242 : 'chosen-id';
      const created = await ctx.service.create({ ...PEOPLE[0], [ctx.idField]: id });
      expect(idOf(ctx, created)).toBe(id);
      const next = await ctx.service.create({ ...PEOPLE[1] });
      expect(idOf(ctx, next)).not.toBe(id);
      expect(await ctx.service.get(id)).toEqual(created);
    });

    it('does not keep a reference to the data it was given', async () => {
      const data = structuredClone(PEOPLE[2]!) as Record<string, any>;
      const created = await ctx.service.create(data);
      data.name = 'Changed';
      data.profile.city = 'Rome';
      expect(await ctx.service.get(idOf(ctx, created))).toEqual(created);
      expect(created.profile).toEqual({ city: 'Paris' });
    });
  });

  describe('get', () => {
    it('resolves with the record, nested values and null included', async () => {
      const [, , cyd, dee] = await seed(ctx);
      expect(await ctx.service.get(idOf(ctx, cyd!))).toEqual({
        ...PEOPLE[2],
        [ctx.idField]: idOf(ctx, cyd!),
      });
      expect(await ctx.service.get(idOf(ctx, dee!))).toEqual({
        ...PEOPLE[3],
        [ctx.idField]: idOf(ctx, dee!),
      });
    });

    it('accepts the id as a string, as a JWT `sub` carries it', async () => {
      const [ada] = await seed(ctx);
      const id = idOf(ctx, ada!);
      const fetched = await ctx.service.get(String(id));
      expect(fetched).toEqual(ada);
      expect(idOf(ctx, fetched)).toBe(id);
    });

    it('returns copies: mutating a result never changes the store', async () => {
      const [, , cyd] = await seed(ctx);
      const id = idOf(ctx, cyd!);
      const fetched = await ctx.service.get(id);
      fetched.name = 'Mallory';
      fetched.profile.city = 'Nowhere';
      cyd!.name = 'Mallory';
      const [found] = await findAll(ctx, { name: 'Cyd' });
      found.profile.city = 'Elsewhere';
      expect(await ctx.service.get(id)).toEqual({ ...PEOPLE[2], [ctx.idField]: id });
    });
  });

  describe('find', () => {
    it('resolves with every record in creation order', async () => {
      const created = await seed(ctx);
      expect(await findAll(ctx)).toEqual(created);
    });

    it('resolves with an empty array on an empty store', async () => {
      expect(await findAll(ctx)).toEqual([]);
    });
  });

  describe('patch', () => {
    it('merges the data into the record and resolves with the whole record', async () => {
      const [ada] = await seed(ctx);
      const id = idOf(ctx, ada!);
      const patched = await ctx.service.patch(id, { age: 37, nickname: 'Countess' });
      expect(patched).toEqual({ ...PEOPLE[0], age: 37, nickname: 'Countess', [ctx.idField]: id });
      expect(await ctx.service.get(id)).toEqual(patched);
    });

    it('sets a field to null and replaces nested objects whole', async () => {
      const [, , cyd] = await seed(ctx);
      const id = idOf(ctx, cyd!);
      const patched = await ctx.service.patch(id, { team: null, profile: { town: 'Lyon' } } as any);
      expect(patched).toEqual({ ...PEOPLE[2], team: null, profile: { town: 'Lyon' }, [ctx.idField]: id });
    });

    it('never changes the id', async () => {
      const [ada] = await seed(ctx);
      const id = idOf(ctx, ada!);
      const other = ctx.capabilities.idType === 'number' ? 777 : 'other-id';
      const patched = await ctx.service.patch(id, { [ctx.idField]: other, name: 'Ada L.' });
      expect(idOf(ctx, patched)).toBe(id);
      expect((await ctx.service.get(id)).name).toBe('Ada L.');
      expect(names(await findAll(ctx))).toEqual(['Ada L.', 'Bob', 'Cyd', 'Dee']);
    });

    it('accepts the id as a string', async () => {
      const [ada] = await seed(ctx);
      const patched = await ctx.service.patch(String(idOf(ctx, ada!)), { age: 40 });
      expect(patched).toEqual({ ...ada, age: 40 });
    });
  });

  describe('remove', () => {
    it('removes the record and resolves with it', async () => {
      const [ada, bob] = await seed(ctx);
      expect(await ctx.service.remove(idOf(ctx, bob!))).toEqual(bob);
      expect(names(await findAll(ctx))).toEqual(['Ada', 'Cyd', 'Dee']);
      expect(await ctx.service.remove(String(idOf(ctx, ada!)))).toEqual(ada);
      expect(names(await findAll(ctx))).toEqual(['Cyd', 'Dee']);
    });
  });

  describe('isolation between tests', () => {
    // Two tests that each write and each expect a clean start: whichever runs second proves the setup isolates.
    for (const round of [1, 2]) {
      it(`starts every test with an empty store (round ${round})`, async () => {
        expect(await findAll(ctx)).toEqual([]);
        await seed(ctx);
        expect(await findAll(ctx)).toHaveLength(PEOPLE.length);
      });
    }
  });
}
