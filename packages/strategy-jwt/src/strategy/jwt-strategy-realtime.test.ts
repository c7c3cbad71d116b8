import type { AuthenticationConfiguration, Connection } from '@org/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TokenExpiryEvent } from './jwt-strategy.ts';
import { createTestAuth } from './test-auth.ts';

const START = new Date('2030-01-01T00:00:00Z').getTime();
const DAY_MS = 86_400_000;
const USER = { id: 1, email: 'ada@example.com', active: true };

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

/**
 * An auth service, a connection logged in through `create` (so the connection holds a token issued
 * with `expiresIn`), and the expiry events the service emitted.
 */
async function loggedIn(
  configuration: Partial<AuthenticationConfiguration> = {},
  expiresIn: string | number = '1h',
) {
  const setup = await createTestAuth({ ...configuration, jwtOptions: { expiresIn } });
  const { auth } = setup;
  const events: [string, unknown][] = [];
  for (const name of ['token-expiring', 'token-expired', 'disconnect']) {
    auth.on(name, (arg: unknown) => events.push([name, arg]));
  }
  const connection: Connection = {};
  const first = await auth.createAccessToken({}, { subject: '1' });
  const login = await auth.create({ strategy: 'jwt', accessToken: first }, { connection });
  return { ...setup, events, connection, login, accessToken: login.accessToken as string };
}

describe('JWTStrategy.handleConnection', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: START });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stores the authentication and the user on login and arms one timer', async () => {
    const { connection, accessToken } = await loggedIn();
    expect(connection).toEqual({ authentication: { strategy: 'jwt', accessToken }, user: USER });
    expect(vi.getTimerCount()).toBe(1);
  });

  it('warns realtime.expiryWarning before exp, then de-authenticates at exp (default)', async () => {
    const { connection, events, accessToken } = await loggedIn({ realtime: { expiryWarning: '5m' } });
    const exp = START / 1000 + 3600;
    const expected: TokenExpiryEvent = { connection, strategy: 'jwt', exp, action: 'deauthenticate' };

    vi.advanceTimersByTime(55 * 60_000 - 1);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(events).toEqual([['token-expiring', expected]]);
    expect(connection.authentication).toEqual({ strategy: 'jwt', accessToken });

    vi.advanceTimersByTime(5 * 60_000 - 1);
    expect(connection.user).toEqual(USER);
    vi.advanceTimersByTime(1);
    expect(connection).toEqual({});
    expect(events).toEqual([
      ['token-expiring', expected],
      ['token-expired', expected],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('warns 60 seconds before exp by default, and never with expiryWarning 0', async () => {
    const a = await loggedIn();
    vi.advanceTimersByTime(3600_000 - 60_000);
    expect(a.events.map(([name]) => name)).toEqual(['token-expiring']);

    vi.setSystemTime(START);
    const b = await loggedIn({ realtime: { expiryWarning: 0 } });
    vi.advanceTimersByTime(3600_000);
    expect(b.events.map(([name]) => name)).toEqual(['token-expired']);
  });

  it("disconnects at exp with onExpiry: 'disconnect', as Feathers does", async () => {
    const { auth, connection, events } = await loggedIn({
      realtime: { onExpiry: 'disconnect', expiryWarning: 0 },
    });
    const seen: unknown[] = [];
    auth.on('disconnect', (c: Connection) => seen.push(c.user));
    vi.advanceTimersByTime(3600_000);
    expect(events.map(([name]) => name)).toEqual(['token-expired', 'disconnect']);
    expect(events[1]?.[1]).toBe(connection);
    // Listeners of `disconnect` still saw the user; it goes after them.
    expect(seen).toEqual([USER]);
    await nextTick();
    await nextTick();
    expect(connection).toEqual({});
  });

  it('is correct for a token that expires in 40 days (beyond the setTimeout limit)', async () => {
    const { connection, events } = await loggedIn({ refresh: { maxSessionAge: '60d' } }, '40d');
    vi.advanceTimersByTime(40 * DAY_MS - 60_001);
    expect(events).toEqual([]);
    expect(connection.user).toEqual(USER);
    vi.advanceTimersByTime(1);
    expect(events.map(([name]) => name)).toEqual(['token-expiring']);
    vi.advanceTimersByTime(60_000);
    expect(events.map(([name]) => name)).toEqual(['token-expiring', 'token-expired']);
    expect(connection).toEqual({});
  });

  it('replaces the timer when the connection re-authenticates', async () => {
    const { auth, connection, events, accessToken } = await loggedIn({ realtime: { expiryWarning: 0 } });
    vi.advanceTimersByTime(30 * 60_000);
    const refreshed = await auth.create({ strategy: 'jwt', accessToken }, { connection });
    expect(refreshed.accessToken).not.toBe(accessToken);
    expect(connection.authentication).toEqual({ strategy: 'jwt', accessToken: refreshed.accessToken });
    expect(vi.getTimerCount()).toBe(1);

    vi.advanceTimersByTime(30 * 60_000);
    expect(events).toEqual([]);
    expect(connection.user).toEqual(USER);
    vi.advanceTimersByTime(60 * 60_000);
    expect(events.map(([name]) => name)).toEqual(['token-expired']);
  });

  it('leaves the connection alone on logout with a different token', async () => {
    const { auth, connection, accessToken, strategy } = await loggedIn();
    const other = await auth.createAccessToken({}, { subject: '1' });
    await strategy.handleConnection('logout', connection, { accessToken: other });
    await nextTick();
    expect(connection).toEqual({ authentication: { strategy: 'jwt', accessToken }, user: USER });
    expect(vi.getTimerCount()).toBe(1);
  });

  it('clears the connection and its timer on logout with its own token', async () => {
    const { auth, connection, accessToken, events } = await loggedIn();
    await auth.remove(null, { authentication: { strategy: 'jwt', accessToken }, connection });
    expect(connection).toEqual({});
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(2 * 3600_000);
    expect(events).toEqual([]);
  });

  it('clears everything on disconnect, after the other listeners ran', async () => {
    const { auth, connection, events } = await loggedIn();
    const seen: unknown[] = [];
    auth.on('disconnect', (c: Connection) => seen.push(c.user));
    auth.emit('disconnect', connection);
    expect(seen).toEqual([USER]);
    await nextTick();
    await nextTick();
    expect(connection).toEqual({});
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(2 * 3600_000);
    expect(events.map(([name]) => name)).toEqual(['disconnect']);
  });

  it('keeps connections independent', async () => {
    const { auth, connection, events } = await loggedIn({ realtime: { expiryWarning: 0 } });
    const other: Connection = {};
    const token = await auth.createAccessToken({}, { subject: '1' });
    await auth.create(
      { strategy: 'jwt', accessToken: token },
      { connection: other, jwtOptions: { expiresIn: '2h' } },
    );
    vi.advanceTimersByTime(3600_000);
    expect(connection).toEqual({});
    expect(other.user).toEqual(USER);
    expect(events).toHaveLength(1);
  });

  it('ignores login results without an access token', async () => {
    const { strategy } = await createTestAuth();
    const connection: Connection = {};
    await strategy.handleConnection('login', connection, { authentication: { strategy: 'local' } });
    expect(connection).toEqual({});
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not crash the process when an expiry listener throws', async () => {
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const { auth, connection } = await loggedIn({ realtime: { expiryWarning: 0 } });
      auth.on('token-expired', () => {
        throw new Error('listener failed');
      });
      vi.advanceTimersByTime(3600_000);
      expect(connection).toEqual({});
      expect(warning).toHaveBeenCalledWith('A realtime expiry listener failed (Error)', {
        code: 'ORG_JWT_EXPIRY_LISTENER',
      });
    } finally {
      warning.mockRestore();
    }
  });
});
