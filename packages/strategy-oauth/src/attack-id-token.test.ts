import { createPublicKey } from 'node:crypto';
import { SignJWT, UnsecuredJWT, decodeJwt, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from './test-browser.ts';
import { codeOf, exchange, loginThrough, startTestApp, type TestApp } from './test-app.ts';

/**
 * ID token attacks: the token endpoint's answer is rewritten on its way to the strategy (through the
 * strategy's `fetch` option), with an ID token forged from the real one. The control case re-signs the
 * same claims with the provider's own key and must pass, so each refusal is down to what was changed.
 */
type Forge = (claims: Record<string, unknown>) => Promise<string>;
let forge: Forge | undefined;
let app: TestApp;

const tamperingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (forge === undefined || !url.endsWith('/token') || !response.ok) return response;
  const body = (await response.json()) as Record<string, unknown>;
  body.id_token = await forge(decodeJwt(body.id_token as string));
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
};

beforeAll(async () => {
  app = await startTestApp({ strategy: { fetch: tamperingFetch } });
});
afterAll(async () => app?.close());

const signWithProviderKey = async (claims: Record<string, unknown>) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: app.provider.signingKey.kid })
    .sign(await importJWK(app.provider.signingKey, 'RS256'));

async function attempt(account: string): Promise<URL> {
  const browser = new TestBrowser();
  const back = await loginThrough(app, browser, `${app.api}/oauth/test`, account);
  if (codeOf(back) !== null) expect((await exchange(app, browser, codeOf(back))).status).toBe(201);
  return back;
}

describe('ID tokens are verified: signature against the JWKS with the configured algorithm, iss, aud, nonce', () => {
  it('control: the same claims re-signed with the provider key are accepted', async () => {
    forge = (claims) => signWithProviderKey(claims);
    const back = await attempt('control');
    expect(codeOf(back)).toMatch(/^[\w-]{43}$/);
  });

  it.each<[string, Forge]>([
    ['from another issuer', (c) => signWithProviderKey({ ...c, iss: 'https://attacker.example' })],
    ['for another audience', (c) => signWithProviderKey({ ...c, aud: 'another-client' })],
    ['with a mismatched nonce', (c) => signWithProviderKey({ ...c, nonce: 'a-nonce-from-another-login' })],
    ['without its nonce', (c) => signWithProviderKey({ ...c, nonce: undefined })],
    ['expired', (c) => signWithProviderKey({ ...c, iat: 1_000_000, exp: 1_000_600 })],
    ['unsigned (alg: none)', async (c) => new UnsecuredJWT(c).encode()],
    [
      'HS256 with the public key as the secret',
      async (c) => {
        const pem = createPublicKey({ key: app.provider.signingKey, format: 'jwk' })
          .export({ type: 'spki', format: 'pem' })
          .toString();
        return new SignJWT(c)
          .setProtectedHeader({ alg: 'HS256', kid: app.provider.signingKey.kid })
          .sign(new TextEncoder().encode(pem));
      },
    ],
    [
      'signed by another key with the provider kid',
      async (c) => {
        const { generateKeyPair } = await import('jose');
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT(c)
          .setProtectedHeader({ alg: 'RS256', kid: app.provider.signingKey.kid })
          .sign(privateKey);
      },
    ],
  ])(
    'refuses an ID token %s: back to the allowed origin with ?error=login_failed',
    async (_what, forgery) => {
      forge = forgery;
      const before = (await app.users.find({})).length;
      const back = await attempt(`victim-${_what.length}`);
      expect(`${back.origin}${back.pathname}`).toBe(app.front);
      expect(back.searchParams.get('error')).toBe('login_failed');
      expect(back.hash).toBe('');
      expect((await app.users.find({})).length).toBe(before);
    },
  );

  afterAll(() => {
    forge = undefined;
  });
});
