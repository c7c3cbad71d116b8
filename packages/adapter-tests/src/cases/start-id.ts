import { GeneralError } from '@org/core';
import { describe, expect, it } from 'vitest';
import { PEOPLE, rejection, type EntityServiceFixture } from '../context.ts';

/** Returns a fresh, empty number-id service whose generated ids start at `startId`. */
export type SetupStartId = (startId: number) => EntityServiceFixture | Promise<EntityServiceFixture>;

const MAX = Number.MAX_SAFE_INTEGER;

// Feathers' `startId`: number ids the store generates start there and never go below it; a caller-chosen
// id above it moves generation on. Run only for adapters that declare `setupStartId`.
export function startIdCases(setupStartId: SetupStartId | undefined): void {
  if (setupStartId === undefined) return;

  async function withService(
    startId: number,
    run: (service: EntityServiceFixture['service'], idField: string) => Promise<void>,
  ) {
    const fixture = await setupStartId!(startId);
    try {
      await run(fixture.service, fixture.service.id ?? 'id');
    } finally {
      await fixture.cleanup?.();
    }
  }

  describe('startId', () => {
    it('the first generated id is startId, then startId + 1; they round-trip as strings', () =>
      withService(1000, async (service, idField) => {
        const ada = await service.create({ ...PEOPLE[0] });
        const bob = await service.create({ ...PEOPLE[1] });
        expect([ada[idField], bob[idField]]).toEqual([1000, 1001]);
        expect(await service.get('1000')).toEqual(ada);
      }));

    it('an internal create with an id below startId does not pull generation below it', () =>
      withService(1000, async (service, idField) => {
        const chosen = await service.create({ ...PEOPLE[0], [idField]: 5 });
        expect(chosen[idField]).toBe(5);
        expect((await service.create({ ...PEOPLE[1] }))[idField]).toBe(1000);
        expect((await service.create({ ...PEOPLE[2] }))[idField]).toBe(1001);
      }));

    it('an internal create with an id above startId moves generation past it', () =>
      withService(1000, async (service, idField) => {
        await service.create({ ...PEOPLE[0] });
        await service.create({ ...PEOPLE[1], [idField]: 5000 });
        expect((await service.create({ ...PEOPLE[2] }))[idField]).toBe(5001);
      }));

    it('startId 2^53 - 1 gives exactly one generated id, then refuses rather than rounding', () =>
      withService(MAX, async (service, idField) => {
        const only = await service.create({ ...PEOPLE[0] });
        expect(only[idField]).toBe(MAX);
        const error = await rejection(service.create({ ...PEOPLE[1] }));
        expect(error).toBeInstanceOf(GeneralError);
        expect(error.code).toBe(500);
        expect(await service.get(String(MAX))).toEqual(only);
      }));
  });
}
