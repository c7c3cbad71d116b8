import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeIssuer, MapService, Strategy1, testConfiguration } from '../test/fixtures.ts';
import { AuthenticationService } from './authentication-service.ts';
import type { AuthenticationStrategy, Connection, ConnectionEvent } from './strategy.ts';

describe('AuthenticationService events (Feathers event and connection hooks)', () => {
  let auth: AuthenticationService;
  let calls: [ConnectionEvent, Connection, unknown][];

  beforeEach(() => {
    auth = new AuthenticationService(testConfiguration({ authStrategies: ['first'] }), {
      services: { users: new MapService() },
    });
    calls = [];
    const recorder: AuthenticationStrategy = {
      handleConnection: async (event, connection, result) => void calls.push([event, connection, result]),
    };
    auth.register('first', new Strategy1());
    auth.register('recorder', recorder);
    auth.register('other', { handleConnection: async () => {} });
    auth.setTokenIssuer(new FakeIssuer());
  });

  it('is an EventEmitter', () => {
    expect(auth).toBeInstanceOf(EventEmitter);
  });

  it("emits 'login' with (result, params) after an external login", async () => {
    const login = vi.fn();
    auth.on('login', login);
    const params = { provider: 'rest', testParam: true };
    const result = await auth.create({ strategy: 'first', username: 'David' }, params);
    expect(login).toHaveBeenCalledTimes(1);
    expect(login).toHaveBeenCalledWith(result, params);
  });

  it("emits 'logout' with (result, params) after an external logout", async () => {
    const logout = vi.fn();
    auth.on('logout', logout);
    const params = { provider: 'rest', authentication: { strategy: 'first', username: 'David' } };
    const result = await auth.remove(null, params);
    expect(logout).toHaveBeenCalledWith(result, params);
  });

  it('emits nothing for an internal call (no provider)', async () => {
    const handler = vi.fn();
    auth.on('login', handler);
    auth.on('logout', handler);
    await auth.create({ strategy: 'first', username: 'David' });
    await auth.remove(null, { authentication: { strategy: 'first', username: 'David' } });
    expect(handler).not.toHaveBeenCalled();
  });

  it('emits nothing when the login fails', async () => {
    const handler = vi.fn();
    auth.on('login', handler);
    await expect(
      auth.create({ strategy: 'first', username: 'Nobody' }, { provider: 'rest' }),
    ).rejects.toThrow('Invalid Dave');
    expect(handler).not.toHaveBeenCalled();
  });

  it('tells every strategy about a login and a logout on params.connection, before the event', async () => {
    const connection: Connection = { id: 'socket-1' };
    const order: string[] = [];
    auth.on('login', () => order.push(`event after ${calls.length} call(s)`));
    const result = await auth.create(
      { strategy: 'first', username: 'David' },
      { connection, provider: 'ws' },
    );
    expect(calls).toEqual([['login', connection, result]]);
    expect(order).toEqual(['event after 1 call(s)']);
    const removed = await auth.remove(null, {
      connection,
      authentication: { strategy: 'first', username: 'David' },
    });
    expect(calls[1]).toEqual(['logout', connection, removed]);
  });

  it('does not call handleConnection without a connection', async () => {
    await auth.create({ strategy: 'first', username: 'David' }, { provider: 'rest' });
    expect(calls).toEqual([]);
  });

  it("fans an emitted 'disconnect' out to every strategy's handleConnection", async () => {
    const connection: Connection = { id: 'socket-2' };
    auth.emit('disconnect', connection);
    await vi.waitFor(() => expect(calls).toEqual([['disconnect', connection, undefined]]));
  });

  it("reports a failing disconnect handler as an 'error' event", async () => {
    const errors: unknown[] = [];
    auth.on('error', (error) => errors.push(error));
    auth.register('failing', { handleConnection: () => Promise.reject(new Error('boom')) });
    auth.emit('disconnect', {});
    await vi.waitFor(() => expect(errors).toEqual([new Error('boom')]));
  });

  it('handleConnection runs the strategies in registration order, awaiting each', async () => {
    const order: string[] = [];
    auth.register('slow', {
      handleConnection: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        order.push('slow');
      },
    });
    auth.register('fast', { handleConnection: async () => void order.push('fast') });
    await auth.handleConnection('login', {}, {});
    expect(order).toEqual(['slow', 'fast']);
  });
});
