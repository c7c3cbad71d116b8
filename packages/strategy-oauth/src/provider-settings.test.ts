import { BadRequest } from '@org/core';
import { describe, expect, it } from 'vitest';
import { ProviderClient } from './provider-client.ts';
import { resolveProvider } from './provider-settings.ts';

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequest);
    expect((error as BadRequest).reason).toBe('invalid-configuration');
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('presets', () => {
  it('google: OpenID Connect discovery at accounts.google.com, openid email profile, client_secret_basic', () => {
    expect(resolveProvider('google', { key: 'id', secret: 's' })).toMatchObject({
      kind: 'oidc',
      issuer: 'https://accounts.google.com',
      scope: 'openid email profile',
      idTokenAlgorithm: 'RS256',
      tokenEndpointAuthMethod: 'client_secret_basic',
    });
  });

  it('microsoft: one tenant; the shared tenants are refused (no single issuer to check)', () => {
    expect(
      resolveProvider('microsoft', { key: 'id', secret: 's', tenant: 'contoso.onmicrosoft.com' }).issuer,
    ).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0');
    for (const tenant of [undefined, 'common', 'organizations', 'consumers', '../x']) {
      expect(refusal(() => resolveProvider('microsoft', { key: 'id', secret: 's', tenant }))).toMatch(
        /tenant/,
      );
    }
  });

  it('github: plain OAuth 2.0 endpoints, read:user user:email, the secret in the body', () => {
    expect(resolveProvider('github', { key: 'id', secret: 's' })).toMatchObject({
      kind: 'oauth2',
      profile: 'github',
      authorizationEndpoint: 'https://github.com/login/oauth/authorize',
      tokenEndpoint: 'https://github.com/login/oauth/access_token',
      userinfoEndpoint: 'https://api.github.com/user',
      scope: 'read:user user:email',
      tokenEndpointAuthMethod: 'client_secret_post',
    });
  });

  it('a preset by name under another provider name, and a generic issuer', () => {
    expect(resolveProvider('work', { key: 'id', secret: 's', preset: 'github' }).profile).toBe('github');
    expect(
      resolveProvider('sso', {
        key: 'id',
        secret: 's',
        issuer: 'https://sso.example.com',
        scope: 'openid email',
      }),
    ).toMatchObject({
      kind: 'oidc',
      issuer: 'https://sso.example.com',
      scope: 'openid email',
    });
  });
});

describe('configuration errors', () => {
  it.each([
    [
      'a typo',
      { key: 'id', secret: 's', issuer: 'https://x.example', scopes: 'openid' },
      /Did you mean 'scope'/,
    ],
    ['no key', { secret: 's', issuer: 'https://x.example' }, /key/],
    ['no issuer nor endpoints', { key: 'id', secret: 's' }, /issuer/],
    [
      'an HMAC ID token algorithm',
      { key: 'id', secret: 's', issuer: 'https://x.example', idTokenAlgorithm: 'HS256' },
      /never HS/,
    ],
    [
      'alg none',
      { key: 'id', secret: 's', issuer: 'https://x.example', idTokenAlgorithm: 'none' },
      /never HS\* or none/,
    ],
    [
      'a protocol parameter',
      { key: 'id', secret: 's', issuer: 'https://x.example', authorizeParams: { state: 'x' } },
      /state/,
    ],
    [
      'a secret method without a secret',
      { key: 'id', issuer: 'https://x.example', tokenEndpointAuthMethod: 'client_secret_post' },
      /secret/,
    ],
    ['a URL with user info', { key: 'id', secret: 's', issuer: 'https://u:p@x.example' }, /issuer/],
    ['a bad scope', { key: 'id', secret: 's', issuer: 'https://x.example', scope: ['open id'] }, /scope/],
    ['an unknown preset', { key: 'id', secret: 's', preset: 'myspace' }, /preset/],
  ])('refuses %s', (_what, section, message) => {
    expect(refusal(() => resolveProvider('sso', section))).toMatch(message);
  });

  it('refuses http provider URLs unless on loopback with allowInsecureLoopback (tests and local development only)', () => {
    const insecure = resolveProvider('sso', { key: 'id', secret: 's', issuer: 'http://sso.example.com' });
    expect(refusal(() => new ProviderClient('sso', insecure, { allowInsecureLoopback: true }))).toMatch(
      /not https/,
    );
    const loopback = resolveProvider('sso', { key: 'id', secret: 's', issuer: 'http://127.0.0.1:4000' });
    expect(refusal(() => new ProviderClient('sso', loopback))).toMatch(/allowInsecureLoopback/);
    expect(() => new ProviderClient('sso', loopback, { allowInsecureLoopback: true })).not.toThrow();
  });
});
