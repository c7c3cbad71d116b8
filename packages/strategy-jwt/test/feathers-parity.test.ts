// Issue 8 (Feathers parity), compared with the real @feathersjs/authentication wherever the issue says
// "as Feathers does": the same configuration, the same calls, the same answers.
import { randomBytes } from 'node:crypto';
import {
  AuthenticationBaseStrategy as FeathersBaseStrategy,
  AuthenticationService as FeathersAuthenticationService,
  JWTStrategy as FeathersJWTStrategy,
} from '@feathersjs/authentication';
import { feathers } from '@feathersjs/feathers';
import { MemoryService } from '@feathersjs/memory';
import {
  AuthenticationBaseStrategy,
  AuthenticationService,
  BadRequest,
  NotAuthenticated,
  type AuthenticationRequest,
} from '@org/core';
import { MemoryService as MemoryEntityService } from '@org/adapter-memory';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JWTStrategy } from '../src/strategy/jwt-strategy.ts';
import { RSA } from '../src/token/test-keys.ts';

const SECRET = randomBytes(48).toString('base64url');
const RESET_SECRET = randomBytes(48).toString('base64url');

/** An API-key strategy, as a Feathers app registers one beside `jwt` (the key travels as `accessToken`). */
const API_KEY = 'api-key-0123456789';
function apiKeyResult(data: AuthenticationRequest) {
  if (data.accessToken !== API_KEY) throw new NotAuthenticated('Invalid API key');
  return { authentication: { strategy: 'apiKey', accessToken: API_KEY }, apiKey: true };
}
class FeathersApiKeyStrategy extends FeathersBaseStrategy {
  async authenticate(data: AuthenticationRequest) {
    return apiKeyResult(data);
  }
}
class ApiKeyStrategy extends AuthenticationBaseStrategy {
  async authenticate(data: AuthenticationRequest) {
    return apiKeyResult(data);
  }
}

function feathersApp() {
  const app = feathers();
  app.set('authentication', {
    secret: SECRET,
    entity: 'user',
    service: 'users',
    authStrategies: ['jwt', 'apiKey'],
    jwtOptions: {
      header: { typ: 'access' },
      audience: 'https://yourdomain.com',
      issuer: 'feathers',
      algorithm: 'HS256',
      expiresIn: '1d',
    },
  });
  app.use('users', new MemoryService({ id: 'id', startId: 1 }));
  const auth = new FeathersAuthenticationService(app);
  auth.register('jwt', new FeathersJWTStrategy());
  auth.register('apiKey', new FeathersApiKeyStrategy());
  app.use('authentication', auth);
  // Called through the app, so Feathers' hooks run as they do for a client.
  return app.service('authentication') as unknown as FeathersAuthenticationService;
}

async function ourApp() {
  const users = new MemoryEntityService({ records: [{ id: 1, email: 'ada@example.com' }] });
  const auth = new AuthenticationService(
    { secret: SECRET, service: 'users', authStrategies: ['jwt', 'apiKey'] },
    { services: { users } },
  );
  auth.register('jwt', new JWTStrategy());
  auth.register('apiKey', new ApiKeyStrategy());
  await auth.setup();
  return auth;
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as any,
  );
const json = (error: { toJSON(): unknown }) => JSON.parse(JSON.stringify(error.toJSON()));

beforeEach(() => {
  vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('an expired token: data.name and data.expiredAt as Feathers sends them, and the reason', () => {
  it('the same token expired: the same data.name and data.expiredAt, error.data equal to its JSON', async () => {
    const [theirs, ours] = [feathersApp(), await ourApp()];
    const token = await theirs.createAccessToken({}, { subject: '1', expiresIn: -10 });
    const feathersError = await failure(theirs.verifyAccessToken(token));
    const ourError = await failure(ours.verifyAccessToken(token));
    expect(json(feathersError).data).toMatchObject({
      name: 'TokenExpiredError',
      expiredAt: expect.any(String),
    });
    expect(ourError).toBeInstanceOf(NotAuthenticated);
    expect(json(ourError).data).toEqual({ ...json(feathersError).data, reason: 'token-expired' });
    expect(ourError.data).toEqual(json(ourError).data);
    expect(json(ourError)).toMatchObject({
      name: 'NotAuthenticated',
      code: 401,
      className: 'not-authenticated',
    });
  });

  it('a token not yet valid: NotBeforeError and its date, as Feathers', async () => {
    const [theirs, ours] = [feathersApp(), await ourApp()];
    const token = await theirs.createAccessToken({}, { subject: '1', notBefore: 3600 });
    const feathersError = await failure(theirs.verifyAccessToken(token));
    const ourError = await failure(ours.verifyAccessToken(token));
    expect(json(ourError).data).toEqual({ ...json(feathersError).data, reason: 'token-not-yet-valid' });
  });

  it('through authenticate() too: what a client reads to refresh', async () => {
    const [theirs, ours] = [feathersApp(), await ourApp()];
    const token = await theirs.createAccessToken({}, { subject: '1', expiresIn: -10 });
    const error = await failure(ours.authenticate({ strategy: 'jwt', accessToken: token }, {}, 'jwt'));
    expect(error.data).toMatchObject({ name: 'TokenExpiredError', reason: 'token-expired' });
  });
});

describe('createAccessToken / verifyAccessToken with a secret of their own, as Feathers', () => {
  it('a password-reset token under its own secret: signed with it, verified with it, both ways', async () => {
    const [theirs, ours] = [feathersApp(), await ourApp()];
    const mine = await ours.createAccessToken(
      { purpose: 'reset' },
      { subject: '1', expiresIn: '1h' },
      RESET_SECRET,
    );
    // Not with the access-token key: a reset token is no access token, and the reverse.
    expect((await failure(ours.verifyAccessToken(mine))).reason).toBe('invalid-signature');
    await expect(theirs.verifyAccessToken(mine, {}, RESET_SECRET)).resolves.toMatchObject({
      purpose: 'reset',
      sub: '1',
    });
    await expect(ours.verifyAccessToken(mine, {}, RESET_SECRET)).resolves.toMatchObject({
      purpose: 'reset',
      sub: '1',
    });
    await expect(failure(theirs.verifyAccessToken(mine))).resolves.toBeInstanceOf(Error);

    const feathersMinted = await theirs.createAccessToken(
      { purpose: 'reset' },
      { subject: '1' },
      RESET_SECRET,
    );
    await expect(ours.verifyAccessToken(feathersMinted, {}, RESET_SECRET)).resolves.toMatchObject({
      purpose: 'reset',
    });
    expect((await failure(ours.verifyAccessToken(feathersMinted))).reason).toBe('invalid-signature');
    const access = await ours.createAccessToken({}, { subject: '1' });
    expect((await failure(ours.verifyAccessToken(access, {}, RESET_SECRET))).reason).toBe(
      'invalid-signature',
    );
  });

  it('params.secret on create signs the login token with it, as Feathers', async () => {
    const ours = await ourApp();
    const { accessToken } = await ours.create(
      { strategy: 'apiKey', accessToken: API_KEY },
      { secret: RESET_SECRET },
    );
    await expect(ours.verifyAccessToken(accessToken as string, {}, RESET_SECRET)).resolves.toBeDefined();
    expect((await failure(ours.verifyAccessToken(accessToken as string))).reason).toBe('invalid-signature');
  });

  it('the key policy applies to the override: weak secrets and public keys are refused', async () => {
    const ours = await ourApp();
    for (const [secret, message] of [
      ['short', "'secret override' is 5 bytes; HS256 needs at least 32 bytes (the hash length)"],
      ['your-256-bit-secret', "'secret override' is a well-known example secret"],
      [
        RSA.publicKey.export({ format: 'pem', type: 'spki' }),
        "'secret override' holds a public key (PEM), not a shared secret",
      ],
    ] as const) {
      const error = await failure(ours.createAccessToken({}, { subject: '1' }, secret));
      expect(error).toBeInstanceOf(BadRequest);
      expect(error.reason).toBe('invalid-configuration');
      expect(error.message).toContain(message);
    }
  });

  it('a private key as the override signs RS256; its public half verifies', async () => {
    const ours = await ourApp();
    const token = await ours.createAccessToken({}, { subject: '1' }, RSA.privateKey);
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).alg).toBe('RS256');
    await expect(ours.verifyAccessToken(token, {}, RSA.publicKey)).resolves.toMatchObject({ sub: '1' });
  });
});

describe('params.jwt and the singular algorithm, as Feathers', () => {
  it('params.jwt on create sets the token options (subject, expiresIn), beside params.jwtOptions', async () => {
    const [theirs, ours] = [feathersApp(), await ourApp()];
    const params = {
      jwt: { subject: 'custom', expiresIn: '2h' },
      jwtOptions: { audience: 'https://yourdomain.com' },
    };
    const a = await theirs.create({ strategy: 'apiKey', accessToken: API_KEY }, params as never);
    const b = await ours.create({ strategy: 'apiKey', accessToken: API_KEY }, params as never);
    const claims = (result: { authentication?: { payload?: Record<string, any> } }) => {
      const p = result.authentication!.payload!;
      return { sub: p.sub, lifetime: p.exp - p.iat, aud: p.aud };
    };
    expect(claims(b)).toEqual(claims(a));
    expect(claims(b)).toEqual({ sub: 'custom', lifetime: 7200, aud: 'https://yourdomain.com' });
  });

  it('algorithm in the verification options, as Feathers reads it', async () => {
    const [theirs, ours] = [feathersApp(), await ourApp()];
    const token = await ours.createAccessToken({}, { subject: '1' });
    await expect(theirs.verifyAccessToken(token, { algorithm: 'HS256' })).resolves.toBeDefined();
    await expect(ours.verifyAccessToken(token, { algorithm: 'HS256' })).resolves.toBeDefined();
    await expect(failure(theirs.verifyAccessToken(token, { algorithm: 'HS512' }))).resolves.toBeInstanceOf(
      Error,
    );
    expect((await failure(ours.verifyAccessToken(token, { algorithm: 'HS512' }))).reason).toBe(
      'algorithm-not-allowed',
    );
    // Through params.jwt on an authentication, as Feathers' JWT strategy passes it.
    const result = await ours.authenticate(
      { strategy: 'jwt', accessToken: token },
      { jwt: { algorithm: 'HS256' } },
      'jwt',
    );
    expect(result.authentication?.payload).toMatchObject({ sub: '1' });
  });
});

describe('logout through another strategy, as Feathers', () => {
  it('remove() after an API-key authentication answers with the result (was 401 Malformed token)', async () => {
    const [theirs, ours] = [feathersApp(), await ourApp()];
    const authentication = { strategy: 'apiKey', accessToken: API_KEY };
    const expected = await theirs.remove(API_KEY, { authentication } as never);
    await expect(ours.remove(API_KEY, { authentication } as never)).resolves.toEqual(expected);
  });

  it('a JWT logout still revokes (the default in-process denylist)', async () => {
    const ours = await ourApp();
    const accessToken = await ours.createAccessToken({}, { subject: '1' });
    await ours.remove(accessToken, { authentication: { strategy: 'jwt', accessToken } } as never);
    expect((await failure(ours.verifyAccessToken(accessToken))).reason).toBe('token-revoked');
  });
});
