import { MemoryService } from '@org/adapter-memory';
import { expect } from 'vitest';
import {
  AuthenticationService,
  NotAuthenticated,
  type AuthenticationConfiguration,
  type EntityService,
  type Params,
} from '@org/core';
import { JWTStrategy } from './jwt-strategy.ts';

/** A strong test secret (48 random-looking bytes). */
export const TEST_SECRET = 'kQ3v8yP1tZ7xW2nR6mB9cL4sH0dF5gJ-aE8uI1oY3rT6wQ9zX2vN5bM7kC0pS4hG';

/** One call the spying users service received. */
export interface EntityCall {
  method: 'get';
  id: unknown;
  params: Params;
}

/**
 * An AuthenticationService with a memory users service (Ada, id 1) and a JWTStrategy registered as
 * `jwt`; the users service records every `get`.
 */
export async function createTestAuth(
  configuration: Partial<AuthenticationConfiguration> = {},
  strategy: JWTStrategy = new JWTStrategy(),
) {
  const store = new MemoryService({ records: [{ id: 1, email: 'ada@example.com', active: true }] });
  const calls: EntityCall[] = [];
  const users = Object.assign(Object.create(store) as MemoryService, {
    async get(id: string | number, params: Params = {}) {
      calls.push({ method: 'get', id, params });
      return store.get(id, params);
    },
  });
  const auth = await authWith(users, configuration, strategy);
  return { auth, strategy, users, store, calls };
}

/**
 * An `AuthenticationService` (or a subclass) over `users` with the test secret, `strategy` registered as
 * `jwt` and `configuration` merged over the defaults; set up.
 */
export async function authWith(
  users: EntityService,
  configuration: Partial<AuthenticationConfiguration> = {},
  strategy: JWTStrategy = new JWTStrategy(),
  Service: typeof AuthenticationService = AuthenticationService,
): Promise<AuthenticationService> {
  const auth = new Service(
    {
      secret: TEST_SECRET,
      service: 'users',
      authStrategies: ['jwt'],
      ...configuration,
    } as AuthenticationConfiguration,
    { services: { users } },
  );
  auth.register('jwt', strategy);
  await auth.setup();
  return auth;
}

/** The `NotAuthenticated` a promise rejects with; fails the test on any other outcome. */
export async function rejection(promise: Promise<unknown>): Promise<NotAuthenticated> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NotAuthenticated);
  return error as NotAuthenticated;
}
