import { NotFound as FeathersNotFound } from '@feathersjs/errors';
import { feathers } from '@feathersjs/feathers';
import { MemoryService } from '@feathersjs/memory';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { AuthenticationBaseStrategy } from './base-strategy.ts';
import { AuthenticationService } from './authentication-service.ts';
import type { EntityService, EntityServiceRegistry } from './entity-service.ts';
import { NotAuthenticated } from './errors.ts';
import type { AuthenticationRequest } from './strategy.ts';

/** Looks the entity up by `sub`, as the JWT strategy does. */
class SubStrategy extends AuthenticationBaseStrategy {
  async authenticate(data: AuthenticationRequest) {
    const user = await this.entityService!.get(data.sub as string);
    return { authentication: { strategy: this.name }, user };
  }
}

describe('EntityService and a Feathers service', () => {
  it('a Feathers service object satisfies EntityService unchanged', () => {
    const app = feathers<{ users: MemoryService }>().use('users', new MemoryService());
    expectTypeOf(new MemoryService()).toExtend<EntityService>();
    expectTypeOf(app.service('users')).toExtend<EntityService>();
    expectTypeOf((path: string) => app.service(path as 'users')).toExtend<EntityServiceRegistry>();
  });

  it('serves as the entity service of an AuthenticationService, a missing record being a 401', async () => {
    const app = feathers<{ users: MemoryService }>().use('users', new MemoryService());
    const ada = await app.service('users').create({ name: 'Ada' });
    const auth = new AuthenticationService(
      { secret: 'not-used-here', service: 'users', authStrategies: ['sub'] },
      { services: (path) => (path === 'users' ? app.service('users') : undefined) },
    );
    auth.register('sub', new SubStrategy());
    await auth.setup();

    const result = await auth.authenticate({ strategy: 'sub', sub: ada.id }, {}, 'sub');
    expect(result.user).toEqual({ id: ada.id, name: 'Ada' });

    const error = await auth.authenticate({ strategy: 'sub', sub: 999 }, {}, 'sub').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotAuthenticated);
    expect(error).toMatchObject({ code: 401, reason: 'entity-not-found', message: 'Entity not found' });
    expect((error as Error).cause).toBeInstanceOf(FeathersNotFound);
  });
});
