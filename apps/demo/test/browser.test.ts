// The login page in a real headless Chromium (Debian's, driven by playwright-core; `.ci/run` installs it):
// sign up, see the token panel, post a message that a second page receives live, log out. Screenshots
// of each step go to test-results/ (git-ignored).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserArgs, CHROMIUM } from './browser-launch.ts';
import { listeningDemo, uniqueEmail, type TestDemo } from './support.ts';

const SHOTS = join(import.meta.dirname, '..', 'test-results');
const PASSWORD = 'correct horse battery';

let demo: TestDemo;
let base: string;
let browser: Browser;

beforeAll(async () => {
  ({ demo, base } = await listeningDemo());
  browser = await chromium.launch({ executablePath: CHROMIUM, args: browserArgs() });
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await demo?.dispose();
});

async function openPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${base}/`);
  Object.assign(page, { errors });
  return page;
}

// The page waits on scrypt and sockets: poll generously (this is no speed target).
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 50 });

const errorsOf = (page: Page): string[] => (page as unknown as { errors: string[] }).errors;

async function fillAndSubmit(page: Page, form: string, email: string): Promise<void> {
  await page.fill(`#${form} input[name=email]`, email);
  await page.fill(`#${form} input[name=password]`, PASSWORD);
  await page.click(`#${form} button[type=submit]`);
}

describe('the login page in Chromium', () => {
  it('signs up, shows the token, delivers a message live to a second page, and logs out', async () => {
    const ada = uniqueEmail('ada');
    const bob = uniqueEmail('bob');

    // Page A signs up (which logs in) and sees its decoded token.
    const pageA = await openPage();
    await fillAndSubmit(pageA, 'signup-form', ada);
    await eventually(() => pageA.textContent('[data-testid=who]')).toBe(ada);
    await eventually(() => pageA.textContent('[data-testid=live]')).toBe('live');
    expect(await pageA.isVisible('[data-testid=signup-form]')).toBe(false);
    expect(await pageA.isVisible('[data-testid=token-panel]')).toBe(true);

    const signingKid = (await demo.keyRing.getSigningKey()).kid!;
    expect(await pageA.textContent('[data-testid=kid]')).toBe(signingKid);
    expect(JSON.parse((await pageA.textContent('[data-testid=token-header]'))!)).toEqual({
      alg: 'ES256',
      typ: 'access',
      kid: signingKid,
    });
    const claims = JSON.parse((await pageA.textContent('[data-testid=token-claims]'))!);
    expect(claims).toMatchObject({ iss: base, aud: base, sub: expect.any(String), exp: expect.any(Number) });
    expect(await pageA.textContent('[data-testid=countdown]')).toMatch(/^(\d+:)?\d\d:\d\d$/);
    const jwks = await pageA.locator('[data-testid=jwks] li').allTextContents();
    expect(jwks.some((line) => line.includes(signingKid) && line.includes('signed your token'))).toBe(true);
    await pageA.screenshot({ path: join(SHOTS, 'login-page-token.png'), fullPage: true });

    // Page B: another user signs up through the API and logs in on the page.
    const signUp = await fetch(`${base}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: bob, password: PASSWORD }),
    });
    expect(signUp.status).toBe(201);
    const pageB = await openPage();
    await fillAndSubmit(pageB, 'login-form', bob);
    await eventually(() => pageB.textContent('[data-testid=who]')).toBe(bob);
    await eventually(() => pageB.textContent('[data-testid=live]')).toBe('live');

    // A posts; B receives it over its socket, without reloading.
    const text = `hello from ada ${Date.now()}`;
    await pageA.fill('#message-form input[name=text]', text);
    await pageA.click('#message-form button[type=submit]');
    await eventually(() => pageB.locator('[data-testid=messages] li .text').allTextContents()).toContain(
      text,
    );
    await eventually(() => pageA.locator('[data-testid=messages] li .text').allTextContents()).toContain(
      text,
    );
    await pageB.screenshot({ path: join(SHOTS, 'login-page-live-message.png'), fullPage: true });

    // A logs out: the page forgets the token and the server refuses it from now on.
    const token = await pageA.evaluate(() => sessionStorage.getItem('accessToken'));
    expect(token).toMatch(/^ey/);
    await pageA.click('[data-testid=logout]');
    await eventually(() => pageA.isVisible('[data-testid=login-form]')).toBe(true);
    expect(await pageA.evaluate(() => sessionStorage.getItem('accessToken'))).toBeNull();
    const me = await fetch(`${base}/users/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ data: { reason: 'token-revoked' } });
    await pageA.screenshot({ path: join(SHOTS, 'login-page-logged-out.png'), fullPage: true });

    expect(errorsOf(pageA)).toEqual([]);
    expect(errorsOf(pageB)).toEqual([]);
  });

  it('shows why a login failed', async () => {
    const page = await openPage();
    await fillAndSubmit(page, 'login-form', uniqueEmail('nobody'));
    await eventually(() => page.textContent('#status')).toBe('Login failed: Invalid login');
    expect(await page.isVisible('[data-testid=token-panel]')).toBe(false);
  });
});
