import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthStrategy } from './oauth-strategy.ts';
import { TestBrowser } from './test-browser.ts';
import { codeOf, exchange, startTestApp, type TestApp } from './test-app.ts';
import { startGitHubFake, type GitHubFake } from './test-github-fake.ts';

let github: GitHubFake;
let app: TestApp;
beforeAll(async () => {
  github = await startGitHubFake();
  app = await startTestApp({ providers: { github: github.section } });
});
afterAll(async () => {
  await app?.close();
  await github?.close();
});

async function login(browser = new TestBrowser()) {
  const { url } = await browser.follow(`${app.api}/oauth/github`, (u) => u.pathname.startsWith('/app/'));
  return { browser, back: url };
}

describe('the github preset (plain OAuth 2.0 with its user API) against a GitHub-shaped server', () => {
  it('asks for read:user and user:email with PKCE S256 and no nonce', async () => {
    const response = await new TestBrowser().request(`${app.api}/oauth/github`);
    const authorize = new URL(response.headers.get('location')!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${github.origin}/login/oauth/authorize`);
    expect(authorize.searchParams.get('scope')).toBe('read:user user:email');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.has('nonce')).toBe(false);
  });

  it('logs in with the numeric GitHub id, the secret in the body, the primary verified email found', async () => {
    const { browser, back } = await login();
    const response = await exchange(app, browser, codeOf(back));
    expect(response.status).toBe(201);
    const { user } = (await response.json()) as { user: Record<string, unknown> };
    expect(user.githubId).toBe(4242);
    const request = github.tokenRequests.at(-1)!;
    expect(request.get('client_secret')).toBe(github.section.secret);
    expect(request.get('code_verifier')).toMatch(/^[\w-]{43}$/);
    // A second login finds the same user.
    const again = await login();
    const second = (await (await exchange(app, again.browser, codeOf(again.back))).json()) as {
      user: { id: unknown };
    };
    expect(second.user.id).toBe(user.id);
  });

  it('GitHub answering a bad code with 200 { error } is a failed login, never a user', async () => {
    const browser = new TestBrowser();
    const start = await browser.request(`${app.api}/oauth/github`);
    const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const callback = new URL(authorize.headers.get('location')!);
    callback.searchParams.set('code', 'not-the-code');
    const response = await browser.request(callback.href);
    expect(new URL(response.headers.get('location')!).searchParams.get('error')).toBe('login_failed');
  });
});

describe('the profile passed to the entity methods', () => {
  it('carries the primary verified email from /user/emails when /user hides it', async () => {
    const strategy = app.auth.getStrategy('github') as OAuthStrategy;
    const seen: Record<string, unknown>[] = [];
    const original = strategy.getEntityData.bind(strategy);
    strategy.getEntityData = async (profile, existing, params) => {
      seen.push(profile);
      return original(profile, existing, params);
    };
    try {
      await login();
    } finally {
      strategy.getEntityData = original;
    }
    expect(seen[0]).toMatchObject({ id: 4242, login: 'octocat', email: 'octocat@example.com' });
  });
});
