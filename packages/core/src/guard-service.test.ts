import { describe, expect, it, vi } from 'vitest';
import { FakeIssuer, MapService, Strategy1, testConfiguration, rejection } from '../test/fixtures.ts';
import { AuthenticationService } from './authentication-service.ts';
import { BadRequest, NotAuthenticated } from './errors.ts';
import { guard } from './guard-service.ts';

async function setup() {
  const users = new MapService();
  const auth = new AuthenticationService(testConfiguration({ authStrategies: ['first'] }), {
    services: { users },
  });
  auth.register('first', new Strategy1());
  auth.register('second', {
    authenticate: async () => ({
      accessToken: 'secret-token',
      authentication: { strategy: 'second' },
      user: { id: 2 },
    }),
  });
  auth.setTokenIssuer(new FakeIssuer());
  const messages = new MapService();
  const calls: { method: string; args: unknown[] }[] = [];
  for (const method of ['find', 'get', 'create', 'patch', 'remove'] as const) {
    const original = messages[method].bind(messages) as (...args: unknown[]) => Promise<unknown>;
    (messages as any)[method] = (...args: unknown[]) => {
      calls.push({ method, args });
      return original(...args);
    };
  }
  return { auth, messages, calls };
}

describe('guard(service, auth, ...strategies)', () => {
  it('needs at least one strategy, and refuses to guard the authentication service', async () => {
    const { auth, messages } = await setup();
    for (const run of [
      () => guard(messages, auth, { strategies: [] }),
      () => guard(messages, auth, undefined as any),
    ]) {
      expect(run).toThrow(BadRequest);
      expect(run).toThrow('The authenticate guard needs at least one allowed strategy');
    }
    expect(() => guard(auth, auth, 'first')).toThrow(
      'The authenticate guard does not need to be used on the authentication service',
    );
  });

  it('lets internal calls through untouched', async () => {
    const { auth, messages, calls } = await setup();
    const guarded = guard(messages, auth, 'first');
    const created = await guarded.create({ text: 'hi' });
    const params = { query: { text: 'hi' } };
    expect(await guarded.find(params)).toEqual([created]);
    expect(await guarded.get(created.id)).toEqual(created);
    expect(calls[1]?.args[0]).toBe(params);
  });

  it("rejects external calls without credentials with 'Not authenticated', for every method", async () => {
    const { auth, messages, calls } = await setup();
    const created = await messages.create({ text: 'hi' });
    calls.length = 0;
    const guarded = guard(messages, auth, 'first');
    const external = { provider: 'rest' };
    for (const call of [
      () => guarded.find(external),
      () => guarded.get(created.id, external),
      () => guarded.create({ text: 'x' }, external),
      () => guarded.patch(created.id, { text: 'x' }, external),
      () => guarded.remove(created.id, external),
    ]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(NotAuthenticated);
      expect(error.message).toBe('Not authenticated');
      expect(error.reason).toBe('no-credentials');
      expect(error.code).toBe(401);
    }
    expect(calls).toEqual([]);
  });

  it('authenticates params.authentication and merges the result (without accessToken) into params', async () => {
    const { auth, messages, calls } = await setup();
    const guarded = guard(messages, auth, 'first', 'second');
    const params = { provider: 'rest', authentication: { strategy: 'first', username: 'David' } };
    await guarded.find(params);
    expect(calls[0]?.args[0]).toEqual({
      provider: 'rest',
      authentication: { strategy: 'first', username: 'David' },
      user: { id: 123, name: 'Dave' },
      authenticated: true,
    });
    expect(params).toEqual({ provider: 'rest', authentication: { strategy: 'first', username: 'David' } });
    await guarded.find({ provider: 'rest', authentication: { strategy: 'second' } });
    expect(calls[1]?.args[0]).toEqual({
      provider: 'rest',
      authentication: { strategy: 'second' },
      user: { id: 2 },
      authenticated: true,
    });
  });

  it('authenticates internal calls that carry params.authentication, without provider or authentication', async () => {
    const { auth, messages } = await setup();
    const spy = vi.fn(async () => ({ user: { id: 9 } }));
    auth.register('spy', { authenticate: spy });
    const guarded = guard(messages, auth, 'spy');
    await guarded.find({ authentication: { strategy: 'spy' }, provider: 'ws', extra: 1 });
    expect(spy).toHaveBeenCalledWith({ strategy: 'spy' }, { extra: 1, authenticated: true });
  });

  it('puts params in the right position for each method', async () => {
    const { auth, messages, calls } = await setup();
    const created = await messages.create({ text: 'a' });
    calls.length = 0;
    const guarded = guard(messages, auth, 'first');
    const authentication = { strategy: 'first', username: 'David' };
    await guarded.get(created.id, { provider: 'rest', authentication });
    await guarded.create({ text: 'b' }, { provider: 'rest', authentication });
    await guarded.patch(created.id, { text: 'c' }, { provider: 'rest', authentication });
    await guarded.remove(created.id, { provider: 'rest', authentication });
    const external = calls.filter(({ args }) => (args.at(-1) as any)?.provider === 'rest');
    expect(external.map(({ method, args }) => [method, args.length, (args.at(-1) as any).user])).toEqual([
      ['get', 2, { id: 123, name: 'Dave' }],
      ['create', 2, { id: 123, name: 'Dave' }],
      ['patch', 3, { id: 123, name: 'Dave' }],
      ['remove', 2, { id: 123, name: 'Dave' }],
    ]);
  });

  it('skips authentication when params.authenticated is true', async () => {
    const { auth, messages } = await setup();
    const spy = vi.spyOn(auth, 'authenticate');
    const guarded = guard(messages, auth, 'first');
    await guarded.find({ provider: 'rest', authenticated: true, authentication: { strategy: 'first' } });
    expect(spy).not.toHaveBeenCalled();
  });

  it("rejects with the strategy's error, and the service is not called", async () => {
    const { auth, messages, calls } = await setup();
    const guarded = guard(messages, auth, 'first');
    const bad = await rejection(
      guarded.find({ provider: 'rest', authentication: { strategy: 'first', username: 'x' } }),
    );
    expect(bad.message).toBe('Invalid Dave');
    const notAllowed = await rejection(
      guarded.find({ provider: 'rest', authentication: { strategy: 'second' } }),
    );
    expect(notAllowed.message).toBe(
      'Invalid authentication information (strategy not allowed in authStrategies)',
    );
    expect(calls).toEqual([]);
  });

  it('guards custom methods named in options.methods as (data, params)', async () => {
    const { auth } = await setup();
    const service = {
      ping: async (data: unknown, params: any) => ({ data, user: params?.user }),
      open: async () => 'open',
    };
    const guarded = guard(service, auth, { strategies: ['first'], methods: ['ping'] });
    await expect(guarded.ping('x', { provider: 'rest' })).rejects.toThrow('Not authenticated');
    expect(
      await guarded.ping('x', { provider: 'rest', authentication: { strategy: 'first', username: 'David' } }),
    ).toEqual({ data: 'x', user: { id: 123, name: 'Dave' } });
    expect(await guarded.open()).toBe('open');
  });

  it('passes every other property through, with methods bound to the service (private fields work)', async () => {
    const { auth, messages } = await setup();
    const guarded = guard(messages, auth, 'first');
    expect(guarded.id).toBe('id');
    expect(guarded.store).toBe(messages.store);
    expect(guarded.find).toBe(guarded.find);
    const created = vi.fn();
    guarded.on('created', created);
    await messages.create({ text: 'event' });
    expect(created).toHaveBeenCalledWith(expect.objectContaining({ text: 'event' }));
    class Private {
      #secret = 42;
      reveal() {
        return this.#secret;
      }
      get secret() {
        return this.#secret;
      }
    }
    const wrapped = guard(new Private(), auth, 'first');
    expect(wrapped.reveal()).toBe(42);
    expect(wrapped.secret).toBe(42);
  });
});
