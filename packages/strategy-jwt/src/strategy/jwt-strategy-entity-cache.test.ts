import { EventEmitter } from 'node:events';
import {
  AuthenticationService,
  NotFound,
  type AuthenticationConfiguration,
  type EntityService,
  type Id,
  type Params,
} from '@org/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JWTStrategy } from './jwt-strategy.ts';
import { TEST_SECRET, rejection } from './test-auth.ts';

interface User {
  id: number;
  email: string;
  password: string;
  disabled?: boolean;
}

/**
 * A users store behind a protect('password')-like wrapper: an external call (`params.provider` set)
 * never sees `password`. `reads` counts every store read; events fire as a Feathers service's do.
 */
class ProtectedUsers extends EventEmitter implements EntityService<User> {
  readonly id = 'id';
  readonly records = new Map<string, User>([
    ['1', { id: 1, email: 'ada@example.com', password: '$scrypt$hash' }],
  ]);
  reads = 0;
  readonly calls: Params[] = [];

  async get(id: Id, params: Params = {}): Promise<User> {
    this.reads++;
    this.calls.push(params);
    const record = this.records.get(String(id));
    if (record === undefined || record.disabled) throw new NotFound(`No record found for id '${id}'`);
    if (!params.provider) return { ...record };
    const { password: _hidden, ...safe } = record;
    return safe as User;
  }
  async find(): Promise<User[]> {
    return [...this.records.values()];
  }
  async create(data: Partial<User>): Promise<User> {
    return data as User;
  }
  async patch(id: Id, data: Partial<User>): Promise<User> {
    const record = { ...this.records.get(String(id))!, ...data };
    this.records.set(String(id), record);
    this.emit('patched', record);
    return record;
  }
  async update(id: Id, data: User): Promise<User> {
    this.records.set(String(id), data);
    this.emit('updated', data);
    return data;
  }
  async remove(id: Id): Promise<User> {
    const record = this.records.get(String(id))!;
    this.records.delete(String(id));
    this.emit('removed', record);
    return record;
  }
}

const strategies: JWTStrategy[] = [];
afterEach(() => {
  for (const strategy of strategies.splice(0)) strategy.entityCache?.close();
  vi.useRealTimers();
});

async function setup(configuration: Partial<AuthenticationConfiguration> = {}) {
  const users = new ProtectedUsers();
  const auth = new AuthenticationService(
    {
      secret: TEST_SECRET,
      service: 'users',
      authStrategies: ['jwt'],
      ...configuration,
    } as AuthenticationConfiguration,
    { services: { users } },
  );
  const strategy = new JWTStrategy();
  strategies.push(strategy);
  auth.register('jwt', strategy);
  await auth.setup();
  const accessToken = await auth.createAccessToken({}, { subject: '1' });
  const rest = (params: Params = { provider: 'rest' }) =>
    auth.authenticate({ strategy: 'jwt', accessToken }, params, 'jwt');
  const internal = () => auth.authenticate({ strategy: 'jwt', accessToken }, {}, 'jwt');
  return { auth, users, strategy, rest, internal };
}

const SAFE_ADA = { id: 1, email: 'ada@example.com' };

describe('JWTStrategy with authentication.entityCache: external calls', () => {
  it('reads the store twice for the first external request and never for repeats within the TTL', async () => {
    const { users, rest } = await setup({ entityCache: { ttl: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await rest()).user).toEqual(SAFE_ADA);
    expect(users.reads).toBe(2);
    expect(users.calls).toEqual([
      { authenticated: true, query: {} },
      {
        provider: 'rest',
        authenticated: true,
        user: { id: 1, email: 'ada@example.com', password: '$scrypt$hash' },
      },
    ]);
  });

  it('never hands the password hash to an external caller, while internal calls still see it', async () => {
    const { users, rest, internal } = await setup({ entityCache: { ttl: 60_000 } });
    expect((await internal()).user).toEqual({ ...SAFE_ADA, password: '$scrypt$hash' });
    const external = await rest();
    expect(external.user).toEqual(SAFE_ADA);
    expect(JSON.stringify(await rest())).not.toContain('$scrypt$');
    expect((await internal()).user).toEqual({ ...SAFE_ADA, password: '$scrypt$hash' });
    // The internal record was already cached: only the external view was read.
    expect(users.reads).toBe(2);
  });

  it('keeps each provider view apart', async () => {
    const { users, rest } = await setup({ entityCache: { ttl: 60_000 } });
    await rest({ provider: 'rest' });
    await rest({ provider: 'socketio' });
    await rest({ provider: 'rest' });
    await rest({ provider: 'socketio' });
    expect(users.calls.map((params) => params.provider)).toEqual([undefined, 'rest', 'socketio']);
  });

  it('drops the external view on patched, updated and removed, so a disabled or deleted user is refused at once', async () => {
    const { users, rest } = await setup({ entityCache: { ttl: 60_000 } });
    await rest();
    await users.patch(1, { email: 'ada@lovelace.org' });
    expect((await rest()).user).toEqual({ id: 1, email: 'ada@lovelace.org' });

    await users.update(1, { id: 1, email: 'ada@lovelace.org', password: 'x', disabled: true });
    expect(await rejection(rest())).toMatchObject({ reason: 'entity-not-found' });

    await users.patch(1, { disabled: false });
    expect((await rest()).user).toEqual({ id: 1, email: 'ada@lovelace.org', disabled: false });
    await users.remove(1);
    expect(await rejection(rest())).toMatchObject({ reason: 'entity-not-found', code: 401 });
  });

  it('reads the store again once the TTL has passed', async () => {
    vi.useFakeTimers();
    const { users, rest } = await setup({ entityCache: { ttl: 1000 } });
    await rest();
    vi.advanceTimersByTime(999);
    await rest();
    expect(users.reads).toBe(2);
    vi.advanceTimersByTime(1);
    await rest();
    expect(users.reads).toBe(4);
  });

  it('hands each request its own copy of the external entity', async () => {
    const { rest } = await setup({ entityCache: { ttl: 60_000 } });
    const first = await rest();
    (first.user as Record<string, unknown>).email = 'mutated';
    expect((await rest()).user).toEqual(SAFE_ADA);
  });
});

describe('JWTStrategy without an entity cache', () => {
  it('reads the store twice per external request and once per internal one, as Feathers does', async () => {
    const { users, strategy, rest, internal } = await setup();
    expect(strategy.entityCache).toBeUndefined();
    for (let i = 0; i < 3; i++) expect((await rest()).user).toEqual(SAFE_ADA);
    expect(users.reads).toBe(6);
    await internal();
    expect(users.reads).toBe(7);
  });
});
