import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from './test-browser.ts';
import { loginThrough, startTestApp, type TestApp } from './test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ oauth: { handoff: 'fragment' } });
});
afterAll(async () => app?.close());

describe("handoff: 'fragment' (Feathers compatibility, explicit)", () => {
  it('sends the access token in the fragment, as Feathers does, and sets no binding cookie', async () => {
    const browser = new TestBrowser();
    const back = await loginThrough(app, browser, `${app.api}/oauth/test`, 'ida');
    const token = new URLSearchParams(back.hash.slice(1)).get('access_token')!;
    expect(back.search).toBe('');
    expect((await app.auth.verifyAccessToken(token)).sub).toBeDefined();
    expect(browser.cookies.get(new URL(app.api).host)?.has('oauth_code')).toBe(false);
  });
});
