import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, listen } from './test-provider.ts';
import { startTestApp, type TestApp } from './test-app.ts';

let app: TestApp;
let closedPort: string;
beforeAll(async () => {
  // A port that was just listening and is closed now: connections are refused.
  const { server, origin } = await listen();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  closedPort = origin;
  app = await startTestApp({
    providers: { down: { key: CLIENT_ID, secret: CLIENT_SECRET, issuer: closedPort } },
  });
});
afterAll(async () => app?.close());

describe('a provider that cannot be reached', () => {
  it('sends the browser back with ?error=provider_unavailable and tells onError, without a state cookie', async () => {
    const response = await fetch(`${app.api}/oauth/down`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(app.front);
    expect(location.searchParams.get('error')).toBe('provider_unavailable');
    expect(response.headers.getSetCookie().join()).not.toMatch(/oauth_state=v1/);
    expect(app.errors.at(-1)).toMatchObject({ reason: 'provider-unavailable', code: 503 });
    expect(JSON.stringify(app.errors.at(-1))).not.toContain(CLIENT_SECRET);
  });
});
