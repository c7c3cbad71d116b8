import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  AuthenticationService as FeathersAuthenticationService,
  JWTStrategy as FeathersJWTStrategy,
} from '@feathersjs/authentication';
import { feathers } from '@feathersjs/feathers';
import { MemoryService } from '@feathersjs/memory';
import { AuthenticationService, NotAuthenticated } from '@org/core';
import { MemoryService as MemoryEntityService } from '@org/adapter-memory';
import { describe, expect, it } from 'vitest';
import { JWTStrategy } from '../src/strategy/jwt-strategy.ts';
import { TokenService } from '../src/token/token-service.ts';

// A strong printable secret: what a Feathers app keeps in config/default.json.
const SECRET = randomBytes(48).toString('base64url');

/** The `jwtOptions` the Feathers generator writes into config/default.json. */
const FEATHERS_JWT_OPTIONS = {
  header: { typ: 'access' },
  audience: 'https://yourdomain.com',
  issuer: 'feathers',
  algorithm: 'HS256',
  expiresIn: '1d',
};

/** A real Feathers app with the Feathers JWT strategy and a memory users service. */
function feathersApp(authentication: Record<string, unknown>) {
  const app = feathers();
  app.set('authentication', {
    entity: 'user',
    service: 'users',
    authStrategies: ['jwt'],
    ...authentication,
  });
  app.use('users', new MemoryService({ id: 'id', startId: 1 }));
  const auth = new FeathersAuthenticationService(app);
  auth.register('jwt', new FeathersJWTStrategy());
  app.use('authentication', auth);
  return { app, auth };
}

describe('interop with @feathersjs/authentication: HS256, Feathers defaults', () => {
  const { auth: feathersAuth } = feathersApp({ secret: SECRET });
  // The same `authentication` section, read by our token service.
  const ours = TokenService.fromConfiguration({ secret: SECRET });

  it('a token minted by Feathers verifies with ours', async () => {
    const token = await feathersAuth.createAccessToken({ userId: '123' }, { subject: '42' });
    const payload = await ours.verifyAccessToken(token);
    expect(payload).toMatchObject({
      userId: '123',
      sub: '42',
      aud: 'https://yourdomain.com',
      iss: 'feathers',
    });
    expect(payload.exp).toBe((payload.iat as number) + 86_400);
    expect(typeof payload.jti).toBe('string');
  });

  it('a token minted by ours verifies with Feathers', async () => {
    const token = await ours.createAccessToken({ userId: '123' }, { subject: '42', expiresIn: '7d' });
    const payload = await feathersAuth.verifyAccessToken(token);
    expect(payload).toMatchObject({
      userId: '123',
      sub: '42',
      aud: 'https://yourdomain.com',
      iss: 'feathers',
    });
    expect(payload.exp).toBe(payload.iat + 7 * 86_400);
  });

  it('a Feathers token under another secret is refused', async () => {
    const { auth: other } = feathersApp({ secret: randomBytes(48).toString('base64url') });
    const token = await other.createAccessToken({}, { subject: '42' });
    await expect(ours.verifyAccessToken(token)).rejects.toMatchObject({ reason: 'invalid-signature' });
  });
});

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = (namedCurve: string) => () => generateKeyPairSync('ec', { namedCurve });

// Every algorithm Feathers can sign: jsonwebtoken 9 has no EdDSA (that one is covered by node-jose's and
// fast-jwt's interop tests).
describe.each([
  ['HS384', undefined],
  ['HS512', undefined],
  ['RS256', rsa],
  ['RS384', rsa],
  ['RS512', rsa],
  ['PS256', rsa],
  ['PS384', rsa],
  ['PS512', rsa],
  ['ES256', ec('P-256')],
  ['ES384', ec('P-384')],
  ['ES512', ec('P-521')],
] as const)('interop with @feathersjs/authentication: %s', (algorithm, generate) => {
  // Feathers replaces its whole `jwtOptions` default with the configured object, so a real app lists
  // every member (as the Feathers generator writes them); our defaults are merged per member.
  const jwtOptions = { ...FEATHERS_JWT_OPTIONS, algorithm };
  let feathersConfig: Record<string, unknown>;
  let ourConfig: Record<string, unknown>;
  if (generate === undefined) {
    // SECRET is 64 bytes: long enough for HS512.
    feathersConfig = { secret: SECRET, jwtOptions };
    ourConfig = { secret: SECRET, jwtOptions };
  } else {
    const { privateKey, publicKey } = generate();
    const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    // Feathers signs and verifies with `secret`; jsonwebtoken derives the public key from the private PEM.
    feathersConfig = { secret: privatePem, jwtOptions };
    ourConfig = { privateKey: privatePem, publicKey: publicPem, jwtOptions };
  }
  const { auth: feathersAuth } = feathersApp(feathersConfig);
  const ours = TokenService.fromConfiguration(ourConfig);

  it('a token minted by Feathers verifies with ours', async () => {
    const token = await feathersAuth.createAccessToken({ userId: '123' }, { subject: '42' });
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toEqual({
      alg: algorithm,
      typ: 'access',
    });
    await expect(ours.verifyAccessToken(token)).resolves.toMatchObject({ userId: '123', sub: '42' });
  });

  it('a token minted by ours verifies with Feathers', async () => {
    const token = await ours.createAccessToken({ userId: '123' }, { subject: '42' });
    await expect(feathersAuth.verifyAccessToken(token)).resolves.toMatchObject({
      userId: '123',
      sub: '42',
    });
  });
});

describe("interop with @feathersjs/authentication: a partial jwtOptions (Feathers' shallow merge)", () => {
  it('tokens without typ, aud and iss verify once verifyOptions stops requiring them', async () => {
    const { auth: feathersAuth } = feathersApp({ secret: SECRET, jwtOptions: { expiresIn: '1h' } });
    const token = await feathersAuth.createAccessToken({}, { subject: '42' });
    await expect(
      TokenService.fromConfiguration({ secret: SECRET }).verifyAccessToken(token),
    ).rejects.toMatchObject({
      reason: 'claim-invalid',
    });
    const lenient = TokenService.fromConfiguration({
      secret: SECRET,
      verifyOptions: { typ: false, audience: null, issuer: null },
    });
    await expect(lenient.verifyAccessToken(token)).resolves.toMatchObject({ sub: '42' });
  });
});

describe('migrating a Feathers app: its users stay logged in', () => {
  it('a Feathers login token authenticates with our service, JWTStrategy and the same users', async () => {
    const { app, auth: feathersAuth } = feathersApp({ secret: SECRET });
    const user = (await app.service('users').create({ email: 'ada@example.com' })) as { id: number };
    const first = await feathersAuth.createAccessToken({}, { subject: String(user.id) });
    const login = await app.service('authentication').create({ strategy: 'jwt', accessToken: first });

    const users = new MemoryEntityService({ records: [{ id: user.id, email: 'ada@example.com' }] });
    const auth = new AuthenticationService(
      { secret: SECRET, entity: 'user', service: 'users', authStrategies: ['jwt'] },
      { services: { users } },
    );
    auth.register('jwt', new JWTStrategy());
    await auth.setup();

    const result = await auth.authenticate({ strategy: 'jwt', accessToken: login.accessToken }, {}, 'jwt');
    expect(result).toMatchObject({
      accessToken: login.accessToken,
      authentication: { strategy: 'jwt', accessToken: login.accessToken, payload: { sub: String(user.id) } },
      user: { id: user.id, email: 'ada@example.com' },
    });
    const refreshed = await auth.create({ strategy: 'jwt', accessToken: login.accessToken });
    expect(refreshed.accessToken).not.toBe(login.accessToken);
    // And back: the refreshed token still verifies with the Feathers app during a rolling migration.
    await expect(feathersAuth.verifyAccessToken(refreshed.accessToken as string)).resolves.toMatchObject({
      sub: String(user.id),
    });
    await expect(
      auth.authenticate({ strategy: 'jwt', accessToken: 'Bearer' }, {}, 'jwt'),
    ).rejects.toBeInstanceOf(NotAuthenticated);
  });
});
