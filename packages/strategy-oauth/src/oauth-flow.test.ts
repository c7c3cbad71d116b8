import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from './test-browser.ts';
import { codeOf, exchange, loginThrough, startTestApp, type TestApp } from './test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

describe('the whole flow against a real OpenID provider (oidc-provider)', () => {
  it('authorize, login, consent, callback, exchange: the user is created and gets an access token', async () => {
    const browser = new TestBrowser();
    const start = await browser.request(`${app.api}/oauth/test`);
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin).toBe(app.provider.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${app.api}/oauth/test/callback`);
    expect(authorize.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
    const setCookie = start.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/^oauth_state=v1\.[^;]+; Max-Age=600; Path=\/oauth; HttpOnly; SameSite=Lax$/);

    const back = await loginThrough(app, browser, authorize.href, 'alice');
    expect(`${back.origin}${back.pathname}`).toBe(app.front);
    expect(back.search).toBe('');
    const code = codeOf(back);
    expect(code).toMatch(/^[\w-]{43}$/);
    expect(back.href).not.toMatch(/access_token|eyJ/);

    const response = await exchange(app, browser, code);
    expect(response.status).toBe(201);
    const result = (await response.json()) as any;
    expect(result.authentication).toMatchObject({ strategy: 'oauth-code', provider: 'test' });
    expect(result.user).toMatchObject({ id: expect.anything(), testId: 'alice' });
    const payload = await app.auth.verifyAccessToken(result.accessToken);
    expect(payload.sub).toBe(String(result.user.id));
  });

  it('a second login finds the same entity', async () => {
    const first = await loginAndExchange('bob');
    const second = await loginAndExchange('bob');
    expect(second.user.id).toBe(first.user.id);
    expect(await app.users.find({ query: { testId: 'bob' } })).toHaveLength(1);
  });

  it('links a second provider to the logged-in user, with no token in any URL', async () => {
    const { accessToken, user } = await loginAndExchange('carol');
    const browser = new TestBrowser();
    const linkStart = await browser.request(`${app.api}/oauth/second/link`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(linkStart.status).toBe(200);
    const { url } = (await linkStart.json()) as { url: string };
    expect(url).not.toContain(accessToken);
    const back = await loginThrough(app, browser, url, 'carol-elsewhere');
    const result = (await (await exchange(app, browser, codeOf(back))).json()) as any;
    expect(result.user.id).toBe(user.id);
    expect(await app.users.get(user.id)).toMatchObject({ testId: 'carol', secondId: 'carol-elsewhere' });
    // Logging in with the linked provider now finds carol.
    const again = await loginAndExchange('carol-elsewhere', 'second');
    expect(again.user.id).toBe(user.id);
  });

  it('linking needs a logged-in user', async () => {
    const response = await fetch(`${app.api}/oauth/second/link`, { method: 'POST' });
    expect(response.status).toBe(401);
  });

  it('sends the browser back to a relative redirect on the allowed origin', async () => {
    const browser = new TestBrowser();
    const back = await loginThrough(
      app,
      browser,
      `${app.api}/oauth/test?redirect=${encodeURIComponent('/app/inbox?tab=2')}`,
      'dave',
    );
    expect(`${back.origin}${back.pathname}${back.search}`).toBe(`${app.api}/app/inbox?tab=2`);
    expect(codeOf(back)).toMatch(/^[\w-]{43}$/);
  });

  it('an unknown provider is a 404 in Feathers JSON', async () => {
    const response = await fetch(`${app.api}/oauth/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ name: 'NotFound', code: 404 });
  });
});

async function loginAndExchange(account: string, provider = 'test') {
  const browser = new TestBrowser();
  const back = await loginThrough(app, browser, `${app.api}/oauth/${provider}`, account);
  const response = await exchange(app, browser, codeOf(back));
  expect(response.status).toBe(201);
  return (await response.json()) as any;
}
