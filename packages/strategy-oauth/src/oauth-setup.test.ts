import { MemoryService } from '@org/adapter-memory';
import { AuthenticationService, BadRequest, type AuthenticationConfiguration } from '@org/core';
import { JWTStrategy } from '@org/strategy-jwt';
import { describe, expect, it } from 'vitest';
import { OAuthCodeStrategy } from './oauth-code-strategy.ts';
import { oauthContext } from './oauth-context.ts';
import { OAuthStrategy } from './oauth-strategy.ts';
import { TEST_SECRET } from './test-app.ts';

const google = { key: 'id', secret: 'secret' };

async function setUp(
  oauth: Record<string, unknown>,
  options: { code?: boolean; authStrategies?: string[]; secret?: string } = {},
) {
  const auth = new AuthenticationService(
    {
      secret: options.secret ?? TEST_SECRET,
      service: 'users',
      authStrategies: options.authStrategies ?? ['jwt', 'oauth-code'],
      oauth,
    } as AuthenticationConfiguration,
    { services: { users: new MemoryService({ id: 'id' }) } },
  );
  auth.register('jwt', new JWTStrategy());
  auth.register('google', new OAuthStrategy());
  if (options.code !== false) auth.register('oauth-code', new OAuthCodeStrategy());
  await auth.setup();
  return auth;
}

async function message(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BadRequest);
  expect((error as BadRequest).reason).toBe('invalid-configuration');
  return (error as Error).message;
}

describe('cookies', () => {
  it('are Secure when the public origin is https, and not on plain http (development)', async () => {
    const secure = await setUp({ redirect: 'https://app.example.com/login', google });
    expect(oauthContext(secure).secure).toBe(true);
    const plain = await setUp({ redirect: 'http://127.0.0.1:3000/', google });
    expect(oauthContext(plain).secure).toBe(false);
    const api = await setUp({
      redirect: 'http://localhost:3000/',
      defaults: { origin: 'https://api.example.com' },
      google,
    });
    expect(oauthContext(api).secure).toBe(true);
  });
});

describe('setup fails with a clear message', () => {
  it('accepts a good configuration', async () => {
    await expect(setUp({ redirect: 'https://app.example.com/login', google })).resolves.toBeDefined();
  });

  it.each([
    ['no redirect', { google }, /redirect/],
    [
      'a typo',
      { redirect: 'https://app.example.com/', origin: ['https://a.example'], google },
      /Did you mean 'origins'/,
    ],
    ['a bad hand-off', { redirect: 'https://app.example.com/', handoff: 'query', google }, /handoff/],
    ['a short secret', { redirect: 'https://app.example.com/', secret: 'short', google }, /at least 32/],
    [
      'a bad prefix',
      { redirect: 'https://app.example.com/', defaults: { prefix: 'oauth/' }, google },
      /prefix/,
    ],
    [
      'a store without delete',
      { redirect: 'https://app.example.com/', codeStore: { get() {}, set() {} }, google },
      /codeStore/,
    ],
  ])('%s', async (_what, oauth, expected) => {
    expect(await message(setUp(oauth))).toMatch(expected);
  });

  it('without the code strategy', async () => {
    expect(await message(setUp({ redirect: 'https://app.example.com/', google }, { code: false }))).toMatch(
      /auth.register\('oauth-code', new OAuthCodeStrategy\(\)\)/,
    );
  });

  it('with the code strategy missing from authStrategies', async () => {
    expect(
      await message(setUp({ redirect: 'https://app.example.com/', google }, { authStrategies: ['jwt'] })),
    ).toMatch(/authStrategies/);
  });
});
