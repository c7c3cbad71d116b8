import { EventEmitter } from 'node:events';
import { AuthenticationService, BadRequest, type AuthenticationHost } from '@org/core';
import { describe, expect, it } from 'vitest';
import { TokenService } from '../token/token-service.ts';
import { JWTStrategy } from './jwt-strategy.ts';
import { TEST_SECRET, createTestAuth } from './test-auth.ts';

/** A bare host, so the strategy's own checks run on values core's schema would already refuse. */
function host(configuration: Record<string, unknown>): AuthenticationHost {
  return Object.assign(new EventEmitter(), {
    configuration: { secret: TEST_SECRET, entity: 'user', service: 'users', ...configuration },
    getEntityService: () => undefined,
  });
}

function register(configuration: Record<string, unknown>): JWTStrategy {
  const strategy = new JWTStrategy();
  strategy.setName('jwt');
  strategy.setAuthentication(host(configuration));
  strategy.verifyConfiguration();
  return strategy;
}

function configError(fn: () => unknown): BadRequest {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({ reason: 'invalid-configuration', code: 400 });
    return error as BadRequest;
  }
  throw new Error('expected a configuration error');
}

describe('JWTStrategy configuration', () => {
  it("applies Feathers' defaults and the service-level entity settings", () => {
    const strategy = register({ entityId: 'id' });
    expect(strategy.configuration).toEqual({
      service: 'users',
      entity: 'user',
      entityId: 'id',
      header: 'Authorization',
      schemes: ['Bearer', 'JWT'],
    });
  });

  it('lets authentication.jwt override header, schemes, entity, service and entityId', () => {
    const strategy = register({
      jwt: { header: 'X-Token', schemes: ['Token'], entity: 'account', service: 'accounts', entityId: '_id' },
    });
    expect(strategy.configuration).toEqual({
      service: 'accounts',
      entity: 'account',
      entityId: '_id',
      header: 'X-Token',
      schemes: ['Token'],
    });
  });

  it("rejects any other jwt key with Feathers' message", () => {
    const error = configError(() => register({ jwt: { expiresIn: '1d' } }));
    expect(error.message).toBe(
      "Invalid JwtStrategy option 'authentication.jwt.expiresIn'. Did you mean to set it in 'authentication.jwtOptions'?",
    );
  });

  it('rejects the same key through AuthenticationService.register', () => {
    const auth = new AuthenticationService({ secret: TEST_SECRET, jwt: { algorithm: 'HS256' } });
    const error = configError(() => auth.register('jwt', new JWTStrategy()));
    expect(error.message).toBe(
      "Invalid JwtStrategy option 'authentication.jwt.algorithm'. Did you mean to set it in 'authentication.jwtOptions'?",
    );
  });

  it('names the strategy in the message when registered under another name', () => {
    const strategy = new JWTStrategy();
    strategy.setName('token');
    strategy.setAuthentication(host({ token: { audience: 'x' } }));
    expect(configError(() => strategy.verifyConfiguration()).message).toBe(
      "Invalid JwtStrategy option 'authentication.token.audience'. Did you mean to set it in 'authentication.jwtOptions'?",
    );
  });

  it('rejects a header that is not a string', () => {
    expect(configError(() => register({ jwt: { header: 42 } })).message).toBe(
      "The 'header' option for the jwt strategy must be a string",
    );
  });

  it('rejects schemes that are not a list of words', () => {
    const message = "The 'schemes' option for the jwt strategy must be a list of words";
    expect(configError(() => register({ jwt: { schemes: 'Bearer' } })).message).toBe(message);
    expect(configError(() => register({ jwt: { schemes: ['Bearer x'] } })).message).toBe(message);
  });

  it('validates realtime and refresh with did-you-mean hints', () => {
    expect(configError(() => register({ realtime: { expiryWarnin: 30 } })).message).toBe(
      "Unknown option 'authentication.realtime.expiryWarnin'. Did you mean 'expiryWarning'?",
    );
    expect(configError(() => register({ refresh: { maxAge: '1d' } })).message).toBe(
      "Unknown option 'authentication.refresh.maxAge'.",
    );
    expect(configError(() => register({ realtime: { onExpiry: 'close' } })).message).toBe(
      "'authentication.realtime.onExpiry' must be 'deauthenticate' or 'disconnect'",
    );
    expect(configError(() => register({ refresh: { maxSessionAge: '30' } })).message).toContain(
      'authentication.refresh.maxSessionAge',
    );
    expect(configError(() => register({ realtime: [] })).message).toBe(
      "'authentication.realtime' must be an object",
    );
  });
});

describe('JWTStrategy as token issuer', () => {
  it('registers a TokenService from the configuration when the service has none', async () => {
    const { auth } = await createTestAuth();
    expect(auth.tokenIssuer).toBeInstanceOf(TokenService);
    const token = await auth.createAccessToken({ userId: '123' }, { expiresIn: '7d' });
    const payload = await auth.verifyAccessToken(token);
    expect(payload).toMatchObject({ userId: '123', aud: 'https://yourdomain.com', iss: 'feathers' });
    expect(payload.exp).toBe((payload.iat as number) + 7 * 86_400);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reads authentication.verifiedTokenCache: requests with the same token are served from the cache', async () => {
    const { auth, strategy } = await createTestAuth({ verifiedTokenCache: { max: 100 } });
    const issuer = auth.tokenIssuer as TokenService;
    expect(issuer.verifiedTokenCacheStats).toEqual({ size: 0, bytes: 0 });
    const accessToken = await auth.createAccessToken({}, { subject: '1' });
    for (let i = 0; i < 3; i++) {
      await expect(strategy.authenticate({ strategy: 'jwt', accessToken }, {})).resolves.toMatchObject({
        authentication: { payload: { sub: '1' } },
      });
    }
    expect(issuer.verifiedTokenCacheStats!.size).toBe(1);
    // Logout revokes through the default denylist, which a hit still asks.
    await auth.remove(null, { authentication: { strategy: 'jwt', accessToken } });
    await expect(strategy.authenticate({ strategy: 'jwt', accessToken }, {})).rejects.toMatchObject({
      reason: 'token-revoked',
    });
  });

  it('refuses a misspelt verifiedTokenCache bound at setup', () => {
    expect(
      configError(
        () => new AuthenticationService({ secret: TEST_SECRET, verifiedTokenCache: { maxByts: 5 } as never }),
      ).message,
    ).toBe(
      "Unknown authentication configuration key 'verifiedTokenCache.maxByts'. Did you mean 'verifiedTokenCache.maxBytes'?",
    );
  });

  it('keeps an issuer set before registration', () => {
    const auth = new AuthenticationService({ secret: TEST_SECRET });
    const issuer = TokenService.fromConfiguration({ secret: TEST_SECRET, jwtOptions: { issuer: 'mine' } });
    auth.setTokenIssuer(issuer);
    auth.register('jwt', new JWTStrategy());
    expect(auth.tokenIssuer).toBe(issuer);
  });

  it('fails at registration on bad key settings', () => {
    const auth = new AuthenticationService({ secret: 'secret' });
    expect(() => auth.register('jwt', new JWTStrategy())).toThrow(BadRequest);
  });
});
