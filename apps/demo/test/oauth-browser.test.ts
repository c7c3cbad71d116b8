// "Log in with the test provider" in a real headless Chromium: the demo with its development OpenID
// provider (oidc-provider on 127.0.0.1), the button on the login page, the provider's own login and
// consent pages, the callback, the one-time code exchanged by the page, and the user logged in.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevOidcProvider, type DevOidcProvider } from '../src/dev-oidc-provider.ts';
import { browserArgs, CHROMIUM } from './browser-launch.ts';
import { freePort, startDemo, type TestDemo } from './support.ts';

const SHOTS = join(import.meta.dirname, '..', 'test-results');

let demo: TestDemo;
let dev: DevOidcProvider;
let base: string;
let browser: Browser;

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  dev = await startDevOidcProvider(base);
  demo = await startDemo({ port, authentication: { oauth: { test: dev.section } } });
  await demo.app.listen({ host: '127.0.0.1', port });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: browserArgs() });
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await demo?.dispose();
  await dev?.close();
});

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 50 });

describe('Log in with the test provider, in Chromium', () => {
  it('clicks through the real redirects and ends logged in', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const urls: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) urls.push(frame.url());
    });

    await page.goto(`${base}/`);
    const button = page.locator('[data-testid=oauth-test]');
    await eventually(() => button.textContent()).toBe('Log in with the test provider');
    await page.screenshot({ path: join(SHOTS, 'oauth-login-button.png'), fullPage: true });
    await button.click();

    // oidc-provider's development login page, then its consent page.
    const account = `grace-${Date.now().toString(36)}`;
    await page.waitForURL((url) => url.origin === dev.issuer && url.pathname.startsWith('/interaction/'));
    await page.fill('input[name=login]', account);
    await page.fill('input[name=password]', 'any password');
    await page.click('button[type=submit]');
    await page.waitForURL((url) => url.origin === dev.issuer && url.pathname.startsWith('/interaction/'));
    await page.click('button[type=submit]');

    // Back on the demo: the page exchanges its one-time code and shows the user.
    await eventually(() => page.textContent('[data-testid=who]')).toBe(`${account}@example.com`);
    await eventually(() => page.textContent('[data-testid=live]')).toBe('live');
    await page.screenshot({ path: join(SHOTS, 'oauth-logged-in.png'), fullPage: true });
    expect(page.url()).toBe(`${base}/`);
    // The browser came back with a code, never a token; the code left the address bar.
    const back = urls.find((url) => url.startsWith(`${base}/#code=`));
    expect(back).toMatch(/^[^#]+#code=[\w-]{43}$/);
    expect(urls.some((url) => /access_token|eyJ/.test(url))).toBe(false);

    const token = await page.evaluate(() => sessionStorage.getItem('accessToken'));
    const me = await fetch(`${base}/users/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ email: `${account}@example.com`, testId: account });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a refused login comes back with our own message, never the provider text', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/?error=provider_error`);
    await eventually(() => page.textContent('#status')).toBe(
      'Login failed: The provider answered with an error.',
    );
    expect(page.url()).toBe(`${base}/`);
    await context.close();
  });
});
