import {
  AuthenticationBaseStrategy as FeathersBaseStrategy,
  AuthenticationService as FeathersAuthenticationService,
  authenticate as feathersAuthenticate,
} from '@feathersjs/authentication';
import { NotAuthenticated as FeathersNotAuthenticated } from '@feathersjs/errors';
import { feathers, type Params as FeathersParams } from '@feathersjs/feathers';
import { MemoryService } from '@feathersjs/memory';
import { describe, expect, it } from 'vitest';
import { AuthenticationService } from './authentication-service.ts';
import { NotAuthenticated } from './errors.ts';
import { guard } from './guard-service.ts';
import type { AuthenticationRequest } from './strategy.ts';

const ADA = { id: 1, name: 'Ada' };

/** Answers with what the guard or hook left in params, after a real MemoryService lookup. */
class EchoService extends MemoryService<any> {
  override async find(params?: FeathersParams): Promise<any> {
    const data = await super.find({ ...params, provider: undefined, paginate: false } as any);
    const { user, authenticated, provider, authentication, accessToken } = (params ?? {}) as any;
    return {
      count: (data as unknown as unknown[]).length,
      user,
      authenticated,
      provider,
      authentication,
      accessToken,
    };
  }
}

/** The same strategy twice: once for Feathers' service, once for ours. */
async function authenticateToken(data: AuthenticationRequest, ErrorClass: new (message: string) => Error) {
  if (data.token !== 'good') throw new ErrorClass('Invalid token');
  return { accessToken: 'never-merged', authentication: { strategy: 'token' }, user: ADA };
}

class FeathersTokenStrategy extends FeathersBaseStrategy {
  async authenticate(data: AuthenticationRequest) {
    return authenticateToken(data, FeathersNotAuthenticated);
  }
}

async function app() {
  const app = feathers<any>();
  app.set('authentication', { secret: 'supersecret', entity: null, authStrategies: ['token'] });
  const feathersAuth = new FeathersAuthenticationService(app);
  feathersAuth.register('token', new FeathersTokenStrategy());
  app.use('authentication', feathersAuth);

  const auth = new AuthenticationService({ secret: 'supersecret', entity: null, authStrategies: ['token'] });
  auth.register('token', { authenticate: (data) => authenticateToken(data, NotAuthenticated) });

  app.use('hooked', new EchoService());
  app.service('hooked').hooks({ before: { all: [feathersAuthenticate('token')] } });
  app.use('guarded', guard(new EchoService(), auth, 'token'));
  await app.setup();
  await app.service('hooked').create({ text: 'one' });
  await app.service('guarded').create({ text: 'one' });
  return app;
}

async function outcome(promise: Promise<unknown>) {
  try {
    return { ok: await promise };
  } catch (error: any) {
    return {
      error: { name: error.name, code: error.code, className: error.className, message: error.message },
    };
  }
}

describe('a Feathers service wrapped by guard() behaves like one with the authenticate hook', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['internal call', {}],
    ['external call without credentials', { provider: 'rest' }],
    [
      'external call with valid credentials',
      { provider: 'rest', authentication: { strategy: 'token', token: 'good' } },
    ],
    ['internal call with valid credentials', { authentication: { strategy: 'token', token: 'good' } }],
    [
      'external call with invalid credentials',
      { provider: 'rest', authentication: { strategy: 'token', token: 'bad' } },
    ],
    ['strategy not allowed', { provider: 'rest', authentication: { strategy: 'other' } }],
    ['no strategy', { provider: 'socketio', authentication: { token: 'good' } }],
    ['already authenticated', { provider: 'rest', authenticated: true }],
  ];

  for (const [name, params] of cases) {
    it(name, async () => {
      const server = await app();
      const hooked = await outcome(server.service('hooked').find({ ...params }));
      const guarded = await outcome(server.service('guarded').find({ ...params }));
      expect(guarded).toEqual(hooked);
    });
  }

  it('gives the expected outcomes (so the comparison cannot pass vacuously)', async () => {
    const server = await app();
    const guarded = server.service('guarded');
    expect(await outcome(guarded.find({ provider: 'rest' }))).toEqual({
      error: {
        name: 'NotAuthenticated',
        code: 401,
        className: 'not-authenticated',
        message: 'Not authenticated',
      },
    });
    expect(
      await outcome(guarded.find({ provider: 'rest', authentication: { strategy: 'token', token: 'good' } })),
    ).toEqual({
      ok: {
        count: 1,
        user: ADA,
        authenticated: true,
        provider: 'rest',
        authentication: { strategy: 'token' },
        accessToken: undefined,
      },
    });
  });

  it('keeps CRUD and Feathers service events working through the guard', async () => {
    const server = await app();
    const guarded = server.service('guarded');
    const created: unknown[] = [];
    guarded.on('created', (record: unknown) => created.push(record));
    const authentication = { strategy: 'token', token: 'good' };
    const record = await guarded.create({ text: 'two' }, { provider: 'rest', authentication });
    expect(created).toEqual([record]);
    expect(await guarded.get(record.id, { provider: 'rest', authentication })).toEqual(record);
    await expect(guarded.remove(record.id, { provider: 'rest' })).rejects.toThrow('Not authenticated');
    expect(await guarded.remove(record.id, { provider: 'rest', authentication })).toEqual(record);
  });
});
