import { MemoryService } from '@org/adapter-memory';
import {
  AuthenticationService,
  PLAIN_READ,
  type AuthenticationConfiguration,
  type Id,
  type Params,
} from '@org/core';
import { describe, expect, it } from 'vitest';
import { JWTStrategy } from './jwt-strategy.ts';
import { TEST_SECRET } from './test-auth.ts';

/** A memory store that records the params of every read; `plain` marks its `get` with PLAIN_READ. */
function countingStore(plain: boolean) {
  const store = new MemoryService({ records: [{ id: 1, email: 'ada@example.com', roles: ['user'] }] });
  const reads: Params[] = [];
  const get = async (id: Id, params: Params = {}) => {
    reads.push(params);
    return store.get(id, params);
  };
  if (plain) Object.defineProperty(get, PLAIN_READ, { value: true });
  const users = Object.assign(Object.create(store) as MemoryService, { get });
  return { store, users, reads };
}

async function setUp(
  users: MemoryService,
  strategy = new JWTStrategy(),
  configuration: Partial<AuthenticationConfiguration> = {},
) {
  const auth = new AuthenticationService(
    { secret: TEST_SECRET, service: 'users', authStrategies: ['jwt'], ...configuration },
    { services: { users } },
  );
  auth.register('jwt', strategy);
  await auth.setup();
  const accessToken = await auth.createAccessToken({}, { subject: '1' });
  const login = (params: Params = { provider: 'rest' }) =>
    auth.authenticate({ strategy: 'jwt', accessToken }, params, 'jwt');
  return { auth, login };
}

describe('JWTStrategy entity reads on an external call', () => {
  it('reads a PLAIN_READ service once, with the entity query and without provider', async () => {
    const { users, reads } = countingStore(true);
    const { login } = await setUp(users);
    const result = await login();
    expect(result.user).toEqual({ id: 1, email: 'ada@example.com', roles: ['user'] });
    expect(reads).toEqual([{ authenticated: true, query: {} }]);
  });

  it('the memory adapter is a plain read, and each request gets its own copy', async () => {
    const store = new MemoryService({ records: [{ id: 1, email: 'ada@example.com', roles: ['user'] }] });
    const { login } = await setUp(store);
    const first = await login();
    (first.user as { roles: string[] }).roles.push('admin');
    expect((await login()).user).toEqual({ id: 1, email: 'ada@example.com', roles: ['user'] });
    expect(await store.get(1)).toEqual({ id: 1, email: 'ada@example.com', roles: ['user'] });
  });

  it('reads twice, as Feathers does, when get is not marked (hooks may run on the external read)', async () => {
    const { users, reads } = countingStore(false);
    const { login } = await setUp(users);
    await login();
    expect(reads).toHaveLength(2);
    expect(reads[0]).toEqual({ authenticated: true, query: {} });
    expect(reads[1]).toMatchObject({ provider: 'rest', authenticated: true, user: { id: 1 } });
  });

  it('reads twice when the caller passes a query (the external read filters by it)', async () => {
    const { users, reads } = countingStore(true);
    const { login } = await setUp(users);
    await login({ provider: 'rest', query: { email: 'ada@example.com' } });
    expect(reads).toHaveLength(2);
    expect(reads[1]).toMatchObject({ provider: 'rest', query: { email: 'ada@example.com' } });
  });

  it('reads twice when fetchEntity is overridden (the external view is the stored record)', async () => {
    const { users, reads } = countingStore(true);
    class Enriching extends JWTStrategy {
      protected override async fetchEntity(id: Id, params: Params) {
        return { ...(await super.fetchEntity(id, params)), enriched: true };
      }
    }
    const { login } = await setUp(users, new Enriching());
    const result = await login();
    expect(reads).toHaveLength(2);
    expect(result.user).toEqual({ id: 1, email: 'ada@example.com', roles: ['user'] });
    expect(reads[1]?.user).toMatchObject({ enriched: true });
  });

  it('with the entity cache, a PLAIN_READ service is read once and then not at all', async () => {
    const { users, reads } = countingStore(true);
    const { login, auth } = await setUp(users, new JWTStrategy(), { entityCache: { ttl: 60_000 } });
    expect((await login()).user).toEqual({ id: 1, email: 'ada@example.com', roles: ['user'] });
    expect((await login()).user).toEqual({ id: 1, email: 'ada@example.com', roles: ['user'] });
    expect(reads).toHaveLength(1);
    (auth.getStrategy('jwt') as JWTStrategy).entityCache?.close();
  });
});

describe('JWTStrategy configuration on the request path', () => {
  it('asks an overridden configuration getter on every request', async () => {
    let header = 'X-First';
    class Switching extends JWTStrategy {
      override get configuration() {
        return { ...super.configuration, header };
      }
    }
    const { users } = countingStore(true);
    const { auth } = await setUp(users, new Switching());
    const request = (name: string) => new Request('http://localhost/', { headers: { [name]: 'Bearer abc' } });
    expect(await auth.parse(request('x-first'), 'jwt')).toEqual({ strategy: 'jwt', accessToken: 'abc' });
    header = 'X-Second';
    expect(await auth.parse(request('x-first'), 'jwt')).toBeNull();
    expect(await auth.parse(request('x-second'), 'jwt')).toEqual({ strategy: 'jwt', accessToken: 'abc' });
  });

  it('follows the strategy to another service and name', async () => {
    const strategy = new JWTStrategy();
    const { users } = countingStore(true);
    const request = (name: string) => new Request('http://localhost/', { headers: { [name]: 'Bearer abc' } });
    const first = await setUp(users, strategy, {
      jwt: { header: 'X-One' },
    } as Partial<AuthenticationConfiguration>);
    expect(await first.auth.parse(request('x-one'), 'jwt')).toEqual({ strategy: 'jwt', accessToken: 'abc' });
    const second = new AuthenticationService(
      { secret: TEST_SECRET, service: 'users', authStrategies: ['api'], api: { header: 'X-Two' } },
      { services: { users } },
    );
    second.register('api', strategy);
    await second.setup();
    expect(await second.parse(request('x-one'), 'api')).toBeNull();
    expect(await second.parse(request('x-two'), 'api')).toEqual({ strategy: 'api', accessToken: 'abc' });
  });
});
