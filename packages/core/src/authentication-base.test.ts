import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  FakeIssuer,
  MapService,
  Strategy1,
  Strategy2,
  testConfiguration,
  rejection,
} from '../test/fixtures.ts';
import { AuthenticationService } from './authentication-service.ts';
import { AuthenticationBaseStrategy } from './base-strategy.ts';
import { GeneralError, NotAuthenticated } from './errors.ts';
import type { AuthenticationStrategy } from './strategy.ts';

function nodeRequest(headers: Record<string, string>): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.headers = headers;
  return req;
}

describe('AuthenticationBase (Feathers core semantics)', () => {
  let auth: AuthenticationService;
  let users: MapService;

  beforeEach(() => {
    users = new MapService();
    auth = new AuthenticationService(testConfiguration({ first: { hello: 'world' } }), {
      services: { users },
    });
    auth.register('first', new Strategy1());
    auth.register('second', new Strategy2());
  });

  describe('strategies', () => {
    it('lists strategyNames in registration order', () => {
      expect(auth.strategyNames).toEqual(['first', 'second']);
    });

    it('getStrategies returns the named strategies and drops unknown names', () => {
      const first = auth.getStrategies('first');
      expect(first).toHaveLength(1);
      expect((first[0] as Strategy1).name).toBe('first');
      expect(auth.getStrategies('first', 'invalid', 'second')).toHaveLength(2);
      expect(auth.getStrategies()).toEqual([]);
    });

    it('getStrategy returns one strategy or undefined', () => {
      expect(auth.getStrategy('second')).toBeInstanceOf(Strategy2);
      expect(auth.getStrategy('missing')).toBeUndefined();
      expect(auth.getStrategy('constructor')).toBeUndefined();
    });

    it('calls setName, setAuthentication and verifyConfiguration on register, in that order', () => {
      const calls: string[] = [];
      const strategy: AuthenticationStrategy = {
        setName: (name) => calls.push(`setName:${name}`),
        setAuthentication: (host) => calls.push(`setAuthentication:${host === auth}`),
        verifyConfiguration: () => calls.push('verifyConfiguration'),
        setup: async () => void calls.push('setup'),
      };
      auth.register('third', strategy);
      expect(calls).toEqual(['setName:third', 'setAuthentication:true', 'verifyConfiguration']);
    });

    it('propagates a synchronous verifyConfiguration error and does not register the strategy', () => {
      const strategy = {
        verifyConfiguration() {
          throw new Error('bad strategy configuration');
        },
      };
      expect(() => auth.register('broken', strategy)).toThrow('bad strategy configuration');
      expect(auth.strategyNames).toEqual(['first', 'second']);
    });

    it('gives a strategy its configuration section', () => {
      expect((auth.getStrategy('first') as Strategy1).configuration).toEqual({ hello: 'world' });
      expect((auth.getStrategy('second') as Strategy2).configuration).toBeUndefined();
    });

    it('sets up strategies on setup, and a strategy registered afterwards on register', async () => {
      const setup = vi.fn(async () => {});
      auth.register('early', { setup });
      expect(setup).not.toHaveBeenCalled();
      await auth.setup();
      expect(setup).toHaveBeenCalledTimes(1);
      expect(setup).toHaveBeenCalledWith(auth);
      const late = vi.fn(async () => {});
      auth.register('late', { setup: late });
      expect(late).toHaveBeenCalledWith(auth);
      await auth.setup();
      expect(setup).toHaveBeenCalledTimes(1);
    });

    it("reports a late strategy's failed setup as an 'error' event", async () => {
      await auth.setup();
      const errors: unknown[] = [];
      auth.on('error', (error) => errors.push(error));
      auth.register('late', { setup: async () => Promise.reject(new Error('late failure')) });
      await new Promise((resolve) => setImmediate(resolve));
      expect(errors).toEqual([new Error('late failure')]);
    });
  });

  describe('authenticate', () => {
    it('returns the first strategy result', async () => {
      const result = await auth.authenticate({ strategy: 'first', username: 'David' }, {}, 'first', 'second');
      expect(result).toEqual(Strategy1.result);
    });

    it('returns the second strategy result', async () => {
      const result = await auth.authenticate(
        { strategy: 'second', v2: true, password: 'supersecret' },
        {},
        'first',
        'second',
      );
      expect(result).toEqual(Strategy2.result);
    });

    it("returns the strategy's error when it fails", async () => {
      const error = await rejection(
        auth.authenticate({ strategy: 'first', username: 'Steve' }, {}, 'first', 'second'),
      );
      expect(error).toBeInstanceOf(NotAuthenticated);
      expect(error.message).toBe('Invalid Dave');
    });

    it('passes params with authenticated: true and leaves the caller params alone', async () => {
      const seen: unknown[] = [];
      auth.register('spy', {
        async authenticate(_data, params) {
          seen.push(params);
          return { ok: true };
        },
      });
      const params = { some: 'thing', provider: 'rest' };
      await auth.authenticate({ strategy: 'spy' }, params, 'spy');
      expect(seen).toEqual([{ some: 'thing', provider: 'rest', authenticated: true }]);
      expect(params).toEqual({ some: 'thing', provider: 'rest' });
    });

    it('throws when no strategy is set', async () => {
      const error = await rejection(auth.authenticate({ username: 'David' }, {}, 'first'));
      expect(error).toBeInstanceOf(NotAuthenticated);
      expect(error.message).toBe('Invalid authentication information (no `strategy` set)');
      expect(error.reason).toBe('invalid-credentials');
      expect(error.code).toBe(401);
    });

    it('throws no-credentials when there is no authentication object at all', async () => {
      for (const data of [undefined, null, 'a-token']) {
        const error = await rejection(auth.authenticate(data as any, {}, 'first'));
        expect(error).toBeInstanceOf(NotAuthenticated);
        expect(error.message).toBe('Invalid authentication information (no `strategy` set)');
        expect(error.reason).toBe('no-credentials');
      }
    });

    it('throws when the strategy is not allowed', async () => {
      const error = await rejection(
        auth.authenticate({ strategy: 'first', username: 'David' }, {}, 'second'),
      );
      expect(error).toBeInstanceOf(NotAuthenticated);
      expect(error.message).toBe(
        'Invalid authentication information (strategy not allowed in authStrategies)',
      );
      expect(error.reason).toBe('strategy-not-allowed');
    });

    it('throws when an allowed strategy is not registered or cannot authenticate', async () => {
      auth.register('parser', { parse: async () => null });
      for (const strategy of ['missing', 'parser']) {
        const error = await rejection(auth.authenticate({ strategy }, {}, strategy));
        expect(error).toBeInstanceOf(NotAuthenticated);
        expect(error.message).toBe('Invalid authentication information');
        expect(error.reason).toBe('invalid-credentials');
      }
    });

    it('treats a non-string or empty strategy as no strategy', async () => {
      auth.register('', new Strategy1());
      for (const strategy of [['first'], '']) {
        const error = await rejection(auth.authenticate({ strategy } as any, {}, 'first', ''));
        expect(error).toBeInstanceOf(NotAuthenticated);
        expect(error.message).toBe('Invalid authentication information (no `strategy` set)');
        expect(error.reason).toBe('invalid-credentials');
      }
    });

    it('maps an entity lookup NotFound (ours or Feathers-shaped) to a 401 entity-not-found', async () => {
      auth.register('gone', {
        authenticate: async () => users.get(42),
      });
      auth.register('feathers', {
        authenticate: async () => Promise.reject(Object.assign(new Error('No record'), { code: 404 })),
      });
      for (const strategy of ['gone', 'feathers']) {
        const error = await rejection(auth.authenticate({ strategy }, {}, strategy));
        expect(error).toBeInstanceOf(NotAuthenticated);
        expect(error.code).toBe(401);
        expect(error.reason).toBe('entity-not-found');
        expect(error.message).toBe('Entity not found');
        expect(error.cause).toBeDefined();
      }
    });
  });

  describe('parse', () => {
    it('resolves with null when no names are given', async () => {
      expect(await auth.parse(nodeRequest({ 'x-dave': '1' }))).toBeNull();
    });

    it('returns the first non-null result, in the order given', async () => {
      const req = nodeRequest({ 'x-dave': '1', 'x-v2': '1' });
      expect(await auth.parse(req, 'first', 'second')).toEqual({ strategy: 'first', username: 'David' });
      expect(await auth.parse(req, 'second', 'first')).toEqual({
        strategy: 'second',
        v2: true,
        password: 'supersecret',
      });
    });

    it('works on a Fetch Request', async () => {
      const req = new Request('http://localhost/', { headers: { 'x-v2': '1' } });
      expect(await auth.parse(req, 'first', 'second')).toEqual({
        strategy: 'second',
        v2: true,
        password: 'supersecret',
      });
    });

    it('resolves with null when no strategy finds credentials, skipping strategies without parse', async () => {
      auth.register('noparse', new AuthenticationBaseStrategy());
      expect(await auth.parse(nodeRequest({}), 'first', 'noparse', 'second', 'missing')).toBeNull();
    });
  });

  describe('token issuer', () => {
    it('createAccessToken and verifyAccessToken fail with a 500 GeneralError when no issuer is registered', async () => {
      for (const call of [() => auth.createAccessToken({}), () => auth.verifyAccessToken('x')]) {
        const error = await rejection(call());
        expect(error).toBeInstanceOf(GeneralError);
        expect(error.code).toBe(500);
        expect(error.message).toBe(
          'No token issuer is registered: register a strategy that issues tokens (JWTStrategy) or call setTokenIssuer()',
        );
      }
    });

    it('delegates to the registered issuer and sets a fresh jwtid unless one is given', async () => {
      const issuer = new FakeIssuer();
      auth.setTokenIssuer(issuer);
      expect(auth.tokenIssuer).toBe(issuer);
      const token = await auth.createAccessToken({ hello: 'world' }, { subject: '1' });
      const again = await auth.createAccessToken({ hello: 'world' }, { subject: '1' });
      await auth.createAccessToken({}, { jwtid: 'fixed' });
      const [first, second, third] = issuer.created;
      expect(first?.options.jwtid).toMatch(/^[0-9a-f-]{36}$/);
      expect(second?.options.jwtid).not.toBe(first?.options.jwtid);
      expect(third?.options).toEqual({ jwtid: 'fixed' });
      expect(token).not.toBe(again);
      const payload = await auth.verifyAccessToken(token);
      expect(payload).toMatchObject({ hello: 'world', sub: '1', jti: first?.options.jwtid });
    });

    it('rejects a missing or non-string token with token-malformed before calling the issuer', async () => {
      auth.setTokenIssuer(new FakeIssuer());
      for (const token of ['', undefined, 42]) {
        const error = await rejection(auth.verifyAccessToken(token as any));
        expect(error).toBeInstanceOf(NotAuthenticated);
        expect(error.message).toBe('Invalid access token');
        expect(error.reason).toBe('token-malformed');
      }
    });
  });

  describe('verifyAccessToken hands on the issuer promise', () => {
    it('turns a synchronous throw of the issuer into a rejection, and a plain value into a promise', async () => {
      const refused = new NotAuthenticated('Invalid signature', { reason: 'invalid-signature' });
      const issuer = {
        createAccessToken: async () => 'token',
        verifyAccessToken: (token: string) => {
          if (token === 'bad') throw refused;
          return { sub: '1' } as unknown as Promise<Record<string, unknown>>;
        },
      };
      auth.setTokenIssuer(issuer);
      const pending = auth.verifyAccessToken('bad');
      expect(pending).toBeInstanceOf(Promise);
      expect(await rejection(pending)).toBe(refused);
      const accepted = auth.verifyAccessToken('good');
      expect(accepted).toBeInstanceOf(Promise);
      expect(await accepted).toEqual({ sub: '1' });
    });
  });

  describe('entity services', () => {
    it('looks services up in a record (own keys only) or through a function', () => {
      expect(auth.getEntityService('users')).toBe(users);
      expect(auth.getEntityService('toString')).toBeUndefined();
      const lookup = new AuthenticationService(testConfiguration(), {
        services: (path) => (path === 'users' ? users : undefined),
      });
      expect(lookup.getEntityService('users')).toBe(users);
      expect(lookup.getEntityService('other')).toBeUndefined();
      expect(new AuthenticationService(testConfiguration()).getEntityService('users')).toBeUndefined();
    });
  });
});
