import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestAuth, rejection } from './test-auth.ts';

const DAY = 86_400;
const START = new Date('2030-01-01T00:00:00Z');
const startSeconds = START.getTime() / 1000;

describe('refresh: create({ strategy: "jwt", accessToken })', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: START });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns a NEW token with a new exp and jti, the same subject, and the user', async () => {
    const { auth } = await createTestAuth();
    const accessToken = await auth.createAccessToken({}, { subject: '1' });
    const old = await auth.verifyAccessToken(accessToken);

    vi.setSystemTime(START.getTime() + 3_600_000);
    const result = await auth.create({ strategy: 'jwt', accessToken });
    expect(result.accessToken).not.toBe(accessToken);
    const payload = await auth.verifyAccessToken(result.accessToken as string);
    expect(payload).toMatchObject({
      sub: '1',
      iat: startSeconds + 3600,
      exp: startSeconds + 3600 + DAY,
      auth_time: startSeconds,
      aud: 'https://yourdomain.com',
      iss: 'feathers',
    });
    expect(payload.jti).not.toBe(old.jti);
    expect(result).toEqual({
      accessToken: result.accessToken,
      authentication: { strategy: 'jwt', accessToken: result.accessToken, payload },
      user: { id: 1, email: 'ada@example.com', active: true },
    });
  });

  it('carries the old token’s own claims and the first login time across refreshes', async () => {
    const { auth } = await createTestAuth();
    let accessToken = await auth.createAccessToken({ role: 'admin', org: 7 }, { subject: '1' });
    for (let hour = 1; hour <= 3; hour++) {
      vi.setSystemTime(START.getTime() + hour * 3_600_000);
      accessToken = (await auth.create({ strategy: 'jwt', accessToken })).accessToken as string;
    }
    const payload = await auth.verifyAccessToken(accessToken);
    expect(payload).toMatchObject({ role: 'admin', org: 7, sub: '1', auth_time: startSeconds });
    expect(payload.iat).toBe(startSeconds + 3 * 3600);
  });

  it('works for stateless tokens (entity: null)', async () => {
    const { auth } = await createTestAuth({ entity: null });
    const accessToken = await auth.createAccessToken({ userId: '123' });
    vi.setSystemTime(START.getTime() + 1000);
    const result = await auth.create({ strategy: 'jwt', accessToken });
    expect(result.accessToken).not.toBe(accessToken);
    await expect(auth.verifyAccessToken(result.accessToken as string)).resolves.toMatchObject({
      userId: '123',
      auth_time: startSeconds,
    });
  });

  it('never issues a token that outlives refresh.maxSessionAge', async () => {
    const { auth } = await createTestAuth({
      refresh: { maxSessionAge: '2d' },
      jwtOptions: { expiresIn: '3d' },
    });
    const accessToken = await auth.createAccessToken({}, { subject: '1' });
    vi.setSystemTime(START.getTime() + (DAY + 12 * 3600) * 1000);
    const result = await auth.create({ strategy: 'jwt', accessToken });
    const payload = await auth.verifyAccessToken(result.accessToken as string);
    // 12 hours left in the session, less than the configured 3d lifetime.
    expect(payload.exp).toBe(startSeconds + 2 * DAY);
  });

  it('refuses to refresh past refresh.maxSessionAge with session-expired', async () => {
    const { auth } = await createTestAuth({
      refresh: { maxSessionAge: '2d' },
      jwtOptions: { expiresIn: '3d' },
    });
    let accessToken = await auth.createAccessToken({}, { subject: '1' });
    vi.setSystemTime(START.getTime() + (DAY + 23 * 3600) * 1000);
    accessToken = (await auth.create({ strategy: 'jwt', accessToken })).accessToken as string;
    vi.setSystemTime(START.getTime() + 2 * DAY * 1000 - 500);
    const error = await rejection(auth.create({ strategy: 'jwt', accessToken }));
    expect(error).toMatchObject({ message: 'Session expired', reason: 'session-expired', code: 401 });
  });

  it('defaults refresh.maxSessionAge to 30 days', async () => {
    const { auth } = await createTestAuth({ jwtOptions: { expiresIn: '40d' } });
    const accessToken = await auth.createAccessToken({}, { subject: '1' });
    vi.setSystemTime(START.getTime() + 29 * DAY * 1000);
    const refreshed = await auth.create({ strategy: 'jwt', accessToken });
    expect((await auth.verifyAccessToken(refreshed.accessToken as string)).exp).toBe(startSeconds + 30 * DAY);
    vi.setSystemTime(START.getTime() + 30 * DAY * 1000);
    expect((await rejection(auth.create({ strategy: 'jwt', accessToken }))).reason).toBe('session-expired');
  });

  it('honours a shorter params.jwtOptions.expiresIn', async () => {
    const { auth } = await createTestAuth();
    const accessToken = await auth.createAccessToken({}, { subject: '1' });
    const result = await auth.create({ strategy: 'jwt', accessToken }, { jwtOptions: { expiresIn: '1h' } });
    expect((await auth.verifyAccessToken(result.accessToken as string)).exp).toBe(startSeconds + 3600);
  });

  it('refuses an expired token: refresh needs a valid one', async () => {
    const { auth } = await createTestAuth();
    const accessToken = await auth.createAccessToken({}, { subject: '1' });
    vi.setSystemTime(START.getTime() + (DAY + 1) * 1000);
    expect((await rejection(auth.create({ strategy: 'jwt', accessToken }))).reason).toBe('token-expired');
  });
});
