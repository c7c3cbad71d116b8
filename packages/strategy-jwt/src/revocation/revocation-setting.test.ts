import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BadRequest, Unavailable, type AuthenticationService } from '@org/core';
import { createTestAuth, rejection } from '../strategy/test-auth.ts';
import type { TokenService } from '../token/token-service.ts';
import { createDenylist, type Denylist } from './denylist.ts';

// Issue 8: logout revokes, always (an in-process denylist by default, `false` to opt out), and every
// form of `authentication.revocation` works or fails at setup, naming the accepted shapes.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = randomBytes(4).toString('hex');

let warnings: Array<{ message: string; code: unknown }>;
const opened: Denylist[] = [];
beforeEach(() => {
  warnings = [];
  vi.spyOn(process, 'emitWarning').mockImplementation(((message: string, options?: { code?: string }) => {
    warnings.push({ message, code: options?.code });
  }) as typeof process.emitWarning);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(opened.splice(0).map((d) => d.close()));
});

function denylistOf(auth: AuthenticationService): Denylist | undefined {
  const revocation = (auth.tokenIssuer as TokenService).revocation as Denylist | undefined;
  if (revocation) opened.push(revocation);
  return revocation;
}

async function logout(auth: AuthenticationService): Promise<string> {
  const accessToken = await auth.createAccessToken({}, { subject: '1' });
  await auth.remove(accessToken, { authentication: { strategy: 'jwt', accessToken } } as never);
  return accessToken;
}

describe('the default: an in-process denylist', () => {
  it('logout revokes with no revocation configured, and setup says it is this instance only', async () => {
    const { auth } = await createTestAuth();
    const token = await logout(auth);
    expect((await rejection(auth.verifyAccessToken(token))).reason).toBe('token-revoked');
    expect(denylistOf(auth)?.shared).toBe(false);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'ORG_JWT_REVOCATION_IN_PROCESS',
        message: expect.stringContaining(
          "with several instances, set 'authentication.revocation' to { store:",
        ),
      }),
    ]);
  });

  it('revocation: false opts out explicitly: logout revokes nothing, and nothing is said', async () => {
    const { auth } = await createTestAuth({ revocation: false } as never);
    const token = await logout(auth);
    await expect(auth.verifyAccessToken(token)).resolves.toMatchObject({ sub: '1' });
    expect(warnings).toEqual([]);
  });

  it('is bounded: when every entry is live a revocation fails (503), it never pushes another out', async () => {
    let now = Date.UTC(2030, 0, 1);
    vi.useFakeTimers({ now });
    try {
      const denylist = createDenylist({ maxEntries: 2 });
      const token = (jti: string) => ({ iss: 'i', jti, exp: now / 1000 + 60 });
      await denylist.revoke(token('a'));
      await denylist.revoke(token('b'));
      await expect(denylist.revoke(token('c'))).rejects.toBeInstanceOf(Unavailable);
      expect(await denylist.isRevoked(token('a'))).toBe(true);
      now += 61_000 + 60_000; // past exp + tolerance: the entries expire and make room
      vi.setSystemTime(now);
      await expect(denylist.revoke(token('c'))).resolves.toBeUndefined();
      expect(await denylist.isRevoked(token('c'))).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('revocation: { store } builds a denylist from it', () => {
  it('a Keyv instance (was silently ignored, turning revocation off)', async () => {
    const { auth } = await createTestAuth({ revocation: { store: new Keyv() } } as never);
    const token = await logout(auth);
    expect((await rejection(auth.verifyAccessToken(token))).reason).toBe('token-revoked');
    expect(warnings).toEqual([]); // chosen explicitly
  });

  const dir = mkdtempSync(join(tmpdir(), 'revocation-setting-'));
  it.each([
    ['redis', () => REDIS_URL],
    ['postgres', () => POSTGRES_URL],
    ['sqlite', () => `sqlite://${join(dir, 'denylist.sqlite')}`],
  ])(
    'a %s:// URL: a logout on one instance is refused by the other',
    async (_name, url) => {
      const revocation = { store: url(), namespace: `revoked_${run}_${randomBytes(3).toString('hex')}` };
      const [one, two] = [
        await createTestAuth({ revocation } as never),
        await createTestAuth({ revocation } as never),
      ];
      expect(denylistOf(one.auth)?.shared).toBe(true);
      denylistOf(two.auth);
      const token = await logout(one.auth);
      expect((await rejection(two.auth.verifyAccessToken(token))).reason).toBe('token-revoked');
      expect(warnings).toEqual([]);
    },
    30_000,
  );
});

describe('anything else is a configuration error at register, naming the accepted shapes', () => {
  const shapes =
    "'authentication.revocation' must be false, a revocation check ({ isRevoked, revoke }, e.g. createDenylist()), " +
    'or { store } with a Keyv instance, or a redis://, rediss://, postgres://, postgresql:// or sqlite:// URL';
  it.each([
    [
      'true',
      true,
      "Invalid authentication configuration 'revocation': expected false, a revocation check ({ isRevoked, revoke }) or { store } (a Keyv instance or a redis://, postgres://, sqlite:// URL)",
    ],
    ['an empty object', {}, shapes],
    [
      'a URL string',
      'redis://127.0.0.1:6379',
      "Invalid authentication configuration 'revocation': expected false, a revocation check",
    ],
    ['an object with isRevoked only', { isRevoked: async () => false }, shapes],
    [
      'a store of another kind',
      { store: 'mongodb://db' },
      "'revocation.store' must be a Keyv instance, or a redis://, rediss://, postgres://, postgresql:// or sqlite:// URL",
    ],
    [
      'a misspelt option',
      { store: new Keyv(), tolerence: 5 },
      'unknown option "tolerence" (did you mean "tolerance"?)',
    ],
  ])('%s', async (_name, revocation, message) => {
    let error: unknown;
    try {
      await createTestAuth({ revocation } as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({ reason: 'invalid-configuration' });
    expect((error as Error).message).toContain(message);
  });
});
