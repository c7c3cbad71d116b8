import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_COOKIE, oauthContext } from './oauth-context.ts';
import type { OAuthStrategy } from './oauth-strategy.ts';
import { type OAuthHandoff } from './oauth-strategy.ts';
import { TestBrowser } from './test-browser.ts';
import { codeOf, exchange, loginThrough, startTestApp, type TestApp } from './test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ oauth: { origins: ['https://target.com'] } });
});
afterAll(async () => app?.close());

/** Starts a login and stops at the provider's login page; resolves with the browser and the callback URL it would reach. */
async function untilCallback(account: string, start = `${app.api}/oauth/test`) {
  const browser = new TestBrowser();
  let url = start;
  for (let step = 0; step < 6; step++) {
    const reached = await browser.follow(
      url,
      (u) => u.pathname.startsWith('/interaction/') || u.pathname.endsWith('/callback'),
    );
    if (reached.url.pathname.endsWith('/callback')) return { browser, callback: reached.url };
    url = await browser.submitForm(reached.url.href, { login: account, password: 'any' });
  }
  throw new Error('no callback');
}

function errorOf(response: Response): string | null {
  const location = new URL(response.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(app.front);
  expect(location.hash).toBe('');
  return location.searchParams.get('error');
}

describe('redirect attacks at the start route (Feathers advisories, CVE-2026-27191)', () => {
  it.each([
    ['authority injection', '@attacker.com'],
    ['domain suffix', '.attacker.com'],
    ['dash suffix', '-attacker.com'],
    ['protocol-relative', '//attacker.com'],
    ['backslash', '/\\attacker.com'],
    ['encoded slashes', '/%2F%2Fattacker.com'],
    ['double-encoded slashes', '/%252F%252Fattacker.com'],
    ['a tab the URL parser strips', '/\t/attacker.com'],
    ['an absolute URL', 'https://attacker.com/'],
    ['javascript:', 'javascript:alert(1)'],
  ])(
    '%s: back to the allowed origin with ?error=invalid_redirect, no login started',
    async (_what, redirect) => {
      const response = await fetch(`${app.api}/oauth/test?redirect=${encodeURIComponent(redirect)}`, {
        redirect: 'manual',
      });
      expect(response.status).toBe(303);
      expect(errorOf(response)).toBe('invalid_redirect');
      expect(response.headers.getSetCookie().join()).not.toMatch(/oauth_state=v1/);
    },
  );

  it('two redirect parameters are refused', async () => {
    const response = await fetch(`${app.api}/oauth/test?redirect=/a&redirect=//attacker.com`, {
      redirect: 'manual',
    });
    expect(errorOf(response)).toBe('invalid_redirect');
  });

  it.each([
    ['startsWith bypass', 'https://target.com.attacker.com/page', (a: TestApp) => a.api],
    ['dash suffix', 'https://target.com-attacker.com/page', (a: TestApp) => a.api],
    ['user info', 'https://target.com@attacker.com/', (a: TestApp) => a.api],
    ['an allowed origin', 'https://target.com/page', () => 'https://target.com'],
  ] as const)(
    'a Referer with %s picks the origin by exact parsed comparison',
    async (_what, referer, expected) => {
      const response = await fetch(`${app.api}/oauth/test`, { redirect: 'manual', headers: { referer } });
      const cookie = /oauth_state=([^;]+)/.exec(response.headers.getSetCookie().join())![1]!;
      expect(oauthContext(app.auth).open(decodeURIComponent(cookie))!.origin).toBe(expected(app));
    },
  );
});

describe('state attacks at the callback', () => {
  it('a callback without the state cookie (another browser, CSRF) is refused with ?error=invalid_state', async () => {
    const { callback } = await untilCallback('mallory');
    const response = await fetch(callback, { redirect: 'manual' });
    expect(errorOf(response)).toBe('invalid_state');
  });

  it('a callback whose state differs from the cookie is refused', async () => {
    const { browser, callback } = await untilCallback('mallory');
    callback.searchParams.set('state', 'x'.repeat(43));
    expect(errorOf(await browser.request(callback.href))).toBe('invalid_state');
  });

  it('a callback without state is refused', async () => {
    const { browser, callback } = await untilCallback('mallory');
    callback.searchParams.delete('state');
    expect(errorOf(await browser.request(callback.href))).toBe('invalid_state');
  });

  it('a replayed callback is refused: the state cookie was cleared by the first', async () => {
    const { browser, callback } = await untilCallback('erin');
    const saved = new Map(browser.cookies.get(new URL(app.api).host));
    const first = await browser.request(callback.href);
    expect(codeOf(new URL(first.headers.get('location')!))).toMatch(/^[\w-]{43}$/);
    expect(first.headers.getSetCookie().join()).toMatch(/oauth_state=; Max-Age=0; Path=\/oauth/);
    expect(errorOf(await browser.request(callback.href))).toBe('invalid_state');
    // Even with the old cookie put back, the provider refuses the used code.
    browser.cookies.set(new URL(app.api).host, saved);
    expect(errorOf(await browser.request(callback.href))).toBe('login_failed');
  });

  it('a tampered state cookie is refused', async () => {
    const { browser, callback } = await untilCallback('mallory');
    const jar = browser.cookies.get(new URL(app.api).host)!;
    const value = jar.get(STATE_COOKIE)!;
    jar.set(STATE_COOKIE, `${value.slice(0, -2)}${value.endsWith('A') ? 'B' : 'A'}A`);
    expect(errorOf(await browser.request(callback.href))).toBe('invalid_state');
  });

  it('a state cookie for another provider is refused', async () => {
    const { browser, callback } = await untilCallback('mallory');
    const other = new URL(callback.href.replace('/oauth/test/', '/oauth/second/'));
    expect(errorOf(await browser.request(other.href))).toBe('invalid_state');
  });

  it('an altered RFC 9207 iss in the authorization response is refused (mix-up)', async () => {
    const { browser, callback } = await untilCallback('mallory');
    expect(callback.searchParams.get('iss')).toBe(app.provider.issuer);
    callback.searchParams.set('iss', 'https://attacker.example');
    expect(errorOf(await browser.request(callback.href))).toBe('login_failed');
  });

  it('a missing iss is refused when the provider promises it (authorization_response_iss_parameter_supported)', async () => {
    const { browser, callback } = await untilCallback('mallory');
    callback.searchParams.delete('iss');
    expect(errorOf(await browser.request(callback.href))).toBe('login_failed');
  });

  it('a provider error with markup is never echoed: a fixed code, no body', async () => {
    const start = await new TestBrowser().request(`${app.api}/oauth/test`);
    const browser = new TestBrowser();
    browser.cookies.set(
      new URL(app.api).host,
      new Map([[STATE_COOKIE, /oauth_state=([^;]+)/.exec(start.headers.getSetCookie().join())![1]!]]),
    );
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const markup = '<script>alert(document.cookie)</script><img src=x onerror=alert(1)>';
    for (const [error, code] of [
      [markup, 'provider_error'],
      ['access_denied', 'access_denied'],
    ]) {
      const url = new URL(`${app.api}/oauth/test/callback`);
      url.search = new URLSearchParams({
        error: error!,
        error_description: markup,
        error_uri: 'javascript:alert(1)',
        state,
      }).toString();
      browser.cookies.set(
        new URL(app.api).host,
        new Map([[STATE_COOKIE, /oauth_state=([^;]+)/.exec(start.headers.getSetCookie().join())![1]!]]),
      );
      const response = await browser.request(url.href);
      expect(errorOf(response)).toBe(code);
      expect(response.headers.get('location')).not.toMatch(/script|img|alert|%3C|</i);
      expect(response.headers.get('content-type')).toBeNull();
      expect(await response.text()).toBe('');
    }
  });
});

describe('one-time code attacks at the exchange', () => {
  it('a code replayed at the exchange is refused', async () => {
    const browser = new TestBrowser();
    const back = await loginThrough(app, browser, `${app.api}/oauth/test`, 'frank');
    expect((await exchange(app, browser, codeOf(back))).status).toBe(201);
    const replay = await exchange(app, browser, codeOf(back));
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({
      name: 'NotAuthenticated',
      data: { reason: 'invalid-credentials' },
    });
  });

  it('a code used from another browser is refused, and burnt for the first one too', async () => {
    const browser = new TestBrowser();
    const back = await loginThrough(app, browser, `${app.api}/oauth/test`, 'grace');
    expect((await exchange(app, new TestBrowser(), codeOf(back))).status).toBe(401);
    expect((await exchange(app, browser, codeOf(back))).status).toBe(401);
  });

  it.each([null, '', 'short', 42, { $ne: null }, 'x'.repeat(43)])(
    'a malformed or unknown code %j is a 401',
    async (code) => {
      const response = await exchange(app, new TestBrowser(), code as string);
      expect(response.status).toBe(401);
    },
  );
});

describe('what the strategy trusts', () => {
  it('POST /authentication with the provider strategy and a made-up profile is refused', async () => {
    const { auth } = app;
    await expect(
      auth.create(
        { strategy: 'test', profile: { sub: 'alice' } },
        { provider: 'rest', authStrategies: ['test'] },
      ),
    ).rejects.toMatchObject({ reason: 'strategy-not-allowed', code: 401 });
  });

  it('request headers never go into the state cookie: only the flow fields', async () => {
    const marker = 'header-marker-7f3a';
    const response = await fetch(`${app.api}/oauth/test`, {
      redirect: 'manual',
      headers: {
        'user-agent': marker,
        'x-forwarded-for': marker,
        cookie: `session=${marker}`,
        authorization: `Bearer ${marker}`,
        referer: `https://target.com/${marker}`,
      },
    });
    const cookie = decodeURIComponent(
      /oauth_state=([^;]+)/.exec(response.headers.getSetCookie().join())![1]!,
    );
    const flow = oauthContext(app.auth).open(cookie)!;
    expect(Object.keys(flow).sort()).toEqual([
      'createdAt',
      'nonce',
      'origin',
      'path',
      'provider',
      'state',
      'verifier',
    ]);
    expect(JSON.stringify(flow)).not.toContain(marker);
    expect(cookie.length).toBeLessThan(600);
  });

  it('a getRedirect override that leaves the allowed origins is replaced by the default with ?error=server_error', async () => {
    const strategy = app.auth.getStrategy('test') as OAuthStrategy;
    const original = strategy.getRedirect;
    strategy.getRedirect = async (handoff: OAuthHandoff) => `https://attacker.com/#code=${handoff.code}`;
    try {
      const { browser, callback } = await untilCallback('henry');
      const response = await browser.request(callback.href);
      expect(errorOf(response)).toBe('server_error');
    } finally {
      strategy.getRedirect = original;
    }
  });
});
