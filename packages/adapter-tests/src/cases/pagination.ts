import { BadRequest, type PaginateOptions } from '@org/core';
import { describe, expect, it } from 'vitest';
import { PEOPLE, rejection, type EntityServiceFixture } from '../context.ts';

type SetupPaginated = (paginate: PaginateOptions) => EntityServiceFixture | Promise<EntityServiceFixture>;

// Feathers' `paginate: { default, max }`: pages `{ total, limit, skip, data }`, `$limit` defaulted and capped,
// `params.paginate: false` for one call. Run only for adapters that declare `setupPaginated`.
export function paginationCases(setupPaginated: SetupPaginated | undefined): void {
  if (setupPaginated === undefined) return;

  async function withService(run: (service: EntityServiceFixture['service']) => Promise<void>) {
    const fixture = await setupPaginated!({ default: 2, max: 3 });
    try {
      for (const person of PEOPLE) await fixture.service.create(structuredClone(person));
      await run(fixture.service);
    } finally {
      await fixture.cleanup?.();
    }
  }

  const names = (page: any) => page.data.map((r: { name: string }) => r.name);

  describe('pagination (paginate: { default: 2, max: 3 })', () => {
    it('find resolves with a page of the default size', () =>
      withService(async (service) => {
        const page = (await service.find()) as any;
        expect({ ...page, data: names(page) }).toEqual({ total: 4, limit: 2, skip: 0, data: ['Ada', 'Bob'] });
      }));

    it('$limit is lowered to max, and $skip moves the page', () =>
      withService(async (service) => {
        const big = (await service.find({ query: { $limit: 1000 } })) as any;
        expect({ ...big, data: names(big) }).toEqual({
          total: 4,
          limit: 3,
          skip: 0,
          data: ['Ada', 'Bob', 'Cyd'],
        });
        const last = (await service.find({ query: { $skip: 3 } })) as any;
        expect({ ...last, data: names(last) }).toEqual({ total: 4, limit: 2, skip: 3, data: ['Dee'] });
        const past = (await service.find({ query: { $skip: 10 } })) as any;
        expect(past).toEqual({ total: 4, limit: 2, skip: 10, data: [] });
      }));

    it('total counts the matching records, not the page; $limit 0 only counts', () =>
      withService(async (service) => {
        const red = (await service.find({ query: { team: 'red', $sort: { age: 1 } } })) as any;
        expect({ ...red, data: names(red) }).toEqual({ total: 2, limit: 2, skip: 0, data: ['Dee', 'Ada'] });
        expect(await service.find({ query: { $limit: 0 } })).toEqual({
          total: 4,
          limit: 0,
          skip: 0,
          data: [],
        });
        expect(await service.find({ query: { team: 'green' } })).toEqual({
          total: 0,
          limit: 2,
          skip: 0,
          data: [],
        });
      }));

    it('params.paginate: false turns it off for one call: an array of every match', () =>
      withService(async (service) => {
        const all = (await service.find({ paginate: false })) as any[];
        expect(all.map((r) => r.name)).toEqual(['Ada', 'Bob', 'Cyd', 'Dee']);
        const limited = (await service.find({ paginate: false, query: { $limit: 1 } })) as any[];
        expect(limited).toHaveLength(1);
      }));

    it('params.paginate as an object replaces the service setting for one call', () =>
      withService(async (service) => {
        const page = (await service.find({ paginate: { default: 1, max: 1 }, query: { $limit: 3 } })) as any;
        expect({ ...page, data: names(page) }).toEqual({ total: 4, limit: 1, skip: 0, data: ['Ada'] });
      }));

    it('a malformed $limit or $skip is still a 400', () =>
      withService(async (service) => {
        for (const query of [{ $limit: -1 }, { $skip: 'x' }, { $limit: 1.5 }] as Array<
          Record<string, unknown>
        >) {
          expect(await rejection(service.find({ query }))).toBeInstanceOf(BadRequest);
        }
      }));
  });
}
