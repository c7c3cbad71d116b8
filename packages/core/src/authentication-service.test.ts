import { beforeEach, describe, expect, it } from 'vitest';
import {
  BearerStrategy,
  FakeIssuer,
  MapService,
  Strategy1,
  Strategy2,
  testConfiguration,
  rejection,
} from '../test/fixtures.ts';
import { AuthenticationService } from './authentication-service.ts';
import { GeneralError, NotAuthenticated } from './errors.ts';

describe('AuthenticationService (Feathers service semantics)', () => {
  let auth: AuthenticationService;
  let users: MapService;
  let issuer: FakeIssuer;

  beforeEach(async () => {
    users = new MapService();
    issuer = new FakeIssuer();
    auth = new AuthenticationService(testConfiguration({ authStrategies: ['first', 'jwt'] }), {
      services: { users },
    });
    auth.register('first', new Strategy1());
    auth.register('second', new Strategy2());
    auth.register('jwt', new BearerStrategy());
    auth.setTokenIssuer(issuer);
    await auth.setup();
  });

  describe('create (login)', () => {
    it('throws when no authStrategies are allowed', async () => {
      const error = await rejection(
        auth.create({ strategy: 'first', username: 'David' }, { authStrategies: [] }),
      );
      expect(error).toBeInstanceOf(NotAuthenticated);
      expect(error.message).toBe(
        'No authentication strategies allowed for creating a JWT (`authStrategies`)',
      );
      expect(error.reason).toBe('strategy-not-allowed');
      const empty = new AuthenticationService(testConfiguration({ authStrategies: [] }), {
        services: { users },
      });
      empty.register('first', new Strategy1());
      const again = await rejection(empty.create({ strategy: 'first', username: 'David' }));
      expect(again.message).toBe(
        'No authentication strategies allowed for creating a JWT (`authStrategies`)',
      );
    });

    it('creates an access token and includes the strategy result', async () => {
      const result = await auth.create({ strategy: 'first', username: 'David' });
      expect(typeof result.accessToken).toBe('string');
      const payload = result.authentication?.payload as Record<string, unknown>;
      expect(result).toEqual({
        ...Strategy1.result,
        accessToken: result.accessToken,
        authentication: { payload },
      });
      expect(payload).toEqual({
        iat: expect.any(Number),
        exp: expect.any(Number),
        sub: '123',
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(await auth.verifyAccessToken(result.accessToken as string)).toEqual(payload);
    });

    it('sets the subject from authResult[entity][service.id], as a string', async () => {
      const custom = new MapService('_id');
      const other = new AuthenticationService(testConfiguration({ authStrategies: ['custom'] }), {
        services: { users: custom },
      });
      other.register('custom', { authenticate: async () => ({ user: { _id: 7, name: 'x' } }) });
      other.setTokenIssuer(issuer);
      const result = await other.create({ strategy: 'custom' });
      expect(result.authentication?.payload?.sub).toBe('7');
    });

    it('sets the subject from authResult[entity][entityId]', async () => {
      const other = new AuthenticationService(
        testConfiguration({ entityId: 'name', authStrategies: ['first'] }),
        {
          services: { users },
        },
      );
      other.register('first', new Strategy1());
      other.setTokenIssuer(issuer);
      const result = await other.create({ strategy: 'first', username: 'David' });
      expect(result.authentication?.payload?.sub).toBe('Dave');
    });

    it('does not override a subject given in params.jwtOptions', async () => {
      const result = await auth.create(
        { strategy: 'first', username: 'David' },
        { jwtOptions: { subject: 'me' } },
      );
      expect(result.authentication?.payload?.sub).toBe('me');
    });

    it('errors when the subject cannot be found', async () => {
      const other = new AuthenticationService(testConfiguration({ authStrategies: ['second'] }), {
        services: { users },
      });
      other.register('second', new Strategy2());
      other.setTokenIssuer(issuer);
      const error = await rejection(other.create({ strategy: 'second', v2: true, password: 'supersecret' }));
      expect(error).toBeInstanceOf(NotAuthenticated);
      expect(error.message).toBe('Can not set subject from user.id');
    });

    it('sets no subject without an entity (entity: null)', async () => {
      const other = new AuthenticationService({ secret: 's', entity: null, authStrategies: ['first'] });
      other.register('first', new Strategy1());
      other.setTokenIssuer(issuer);
      await other.setup();
      const result = await other.create({ strategy: 'first', username: 'David' });
      expect(result.authentication?.payload?.sub).toBeUndefined();
    });

    it('merges params.payload into the token payload', async () => {
      const result = await auth.create(
        { strategy: 'first', username: 'David' },
        { payload: { role: 'admin' } },
      );
      expect(result.authentication?.payload).toMatchObject({ role: 'admin', sub: '123' });
      expect(issuer.created[0]?.payload).toEqual({ role: 'admin' });
    });

    it('errors for a strategy that is registered but not in authStrategies', async () => {
      const error = await rejection(auth.create({ strategy: 'second', v2: true, password: 'supersecret' }));
      expect(error).toBeInstanceOf(NotAuthenticated);
      expect(error.message).toBe(
        'Invalid authentication information (strategy not allowed in authStrategies)',
      );
    });

    it('allows params.authStrategies to widen the list', async () => {
      const result = await auth.create(
        { strategy: 'second', v2: true, password: 'supersecret' },
        { authStrategies: ['second'], jwtOptions: { subject: 'v2' } },
      );
      expect(result.user).toEqual(Strategy2.result.user);
    });

    it('returns the strategy result unchanged when it already has an accessToken', async () => {
      const login = await auth.create({ strategy: 'first', username: 'David' });
      await users.create({ id: 123, name: 'Dave' });
      issuer.created.length = 0;
      const result = await auth.create({ strategy: 'jwt', accessToken: login.accessToken });
      expect(result.accessToken).toBe(login.accessToken);
      expect(result.user).toEqual({ id: 123, name: 'Dave' });
      expect(issuer.created).toHaveLength(0);
    });

    it('fails with a GeneralError when no token issuer is registered', async () => {
      const other = new AuthenticationService(testConfiguration({ authStrategies: ['first'] }), {
        services: { users },
      });
      other.register('first', new Strategy1());
      const error = await rejection(other.create({ strategy: 'first', username: 'David' }));
      expect(error).toBeInstanceOf(GeneralError);
      expect(error.code).toBe(500);
    });

    it('verifies an opaque token (not a JWT) to report its payload', async () => {
      const opaque = {
        createAccessToken: async () => 'opaque-token',
        verifyAccessToken: async (token: string) => ({ token, sub: '123' }),
      };
      auth.setTokenIssuer(opaque);
      const result = await auth.create({ strategy: 'first', username: 'David' });
      expect(result.accessToken).toBe('opaque-token');
      expect(result.authentication?.payload).toEqual({ token: 'opaque-token', sub: '123' });
    });
  });

  describe('remove (logout)', () => {
    let accessToken: string;

    beforeEach(async () => {
      await users.create({ id: 123, name: 'Dave' });
      accessToken = (await auth.create({ strategy: 'first', username: 'David' })).accessToken as string;
    });

    it('verifies the authentication, revokes the token and returns the result', async () => {
      const authentication = { strategy: 'jwt', accessToken };
      const result = await auth.remove(null, { authentication });
      expect(result).toEqual({
        accessToken,
        authentication: { strategy: 'jwt', accessToken, payload: expect.objectContaining({ sub: '123' }) },
        user: { id: 123, name: 'Dave' },
      });
      expect(issuer.revoked).toEqual([{ token: accessToken, payload: result.authentication?.payload }]);
      const again = await rejection(auth.remove(null, { authentication }));
      expect(again.reason).toBe('token-revoked');
    });

    it('passes when id is the access token', async () => {
      const result = await auth.remove(accessToken, { authentication: { strategy: 'jwt', accessToken } });
      expect(result.accessToken).toBe(accessToken);
    });

    it('errors when id is another token', async () => {
      const error = await rejection(
        auth.remove('some-other-token', { authentication: { strategy: 'jwt', accessToken } }),
      );
      expect(error).toBeInstanceOf(NotAuthenticated);
      expect(error.message).toBe('Invalid access token');
      expect(issuer.revoked).toEqual([]);
    });

    it('is a 401, never a 500, without credentials', async () => {
      for (const call of [() => auth.remove(null), () => auth.remove(null, {}), () => auth.remove('x')]) {
        const error = await rejection(call());
        expect(error).toBeInstanceOf(NotAuthenticated);
        expect(error.code).toBe(401);
      }
      const error = await rejection(auth.remove(null));
      expect(error.message).toBe('Invalid authentication information (no `strategy` set)');
      expect(error.reason).toBe('no-credentials');
    });

    it('is a 401 entity-not-found when the entity was removed after login', async () => {
      await users.remove(123);
      const error = await rejection(auth.remove(null, { authentication: { strategy: 'jwt', accessToken } }));
      expect(error).toBeInstanceOf(NotAuthenticated);
      expect(error.reason).toBe('entity-not-found');
    });

    it('verifies the token for revocation when the strategy reports no payload', async () => {
      const other = new AuthenticationService(testConfiguration({ authStrategies: ['bare'] }), {
        services: { users },
      });
      other.register('bare', { authenticate: async (data) => ({ accessToken: data.accessToken as string }) });
      other.setTokenIssuer(issuer);
      await other.remove(null, { authentication: { strategy: 'bare', accessToken } });
      expect(issuer.revoked[0]?.payload).toMatchObject({ sub: '123' });
    });

    it('skips revocation without a token or without a revoking issuer', async () => {
      const other = new AuthenticationService(testConfiguration({ authStrategies: ['first'] }), {
        services: { users },
      });
      other.register('first', new Strategy1());
      const result = await other.remove(null, { authentication: { strategy: 'first', username: 'David' } });
      expect(result).toEqual(Strategy1.result);
      other.setTokenIssuer(issuer);
      await other.remove(null, { authentication: { strategy: 'first', username: 'David' } });
      const plain = {
        createAccessToken: issuer.createAccessToken.bind(issuer),
        verifyAccessToken: issuer.verifyAccessToken.bind(issuer),
      };
      auth.setTokenIssuer(plain);
      await auth.remove(null, { authentication: { strategy: 'jwt', accessToken } });
      expect(issuer.revoked).toEqual([]);
    });
  });
});
