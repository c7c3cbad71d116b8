import { NotAuthenticated, Unavailable } from '@org/core';
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { createTestAuth, TEST_SECRET } from '../strategy/test-auth.ts';
import { TokenService } from '../token/token-service.ts';
import { createDenylist } from './denylist.ts';

async function rejection(promise: Promise<unknown>): Promise<{ reason?: string; code?: number }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as never,
  );
}

describe('revocation through the token service and the authentication service', () => {
  it('logout (remove) revokes the token on the shared denylist; other tokens still work', async () => {
    const denylist = createDenylist({ store: new Keyv() });
    const { auth } = await createTestAuth({ revocation: denylist } as never);
    const accessToken = await auth.createAccessToken({}, { subject: '1' });
    const other = await auth.createAccessToken({}, { subject: '1' });
    const result = await auth.authenticate({ strategy: 'jwt', accessToken }, {}, 'jwt');
    await auth.remove(null, { authentication: { strategy: 'jwt', accessToken } } as never);
    const error = await rejection(auth.authenticate({ strategy: 'jwt', accessToken }, {}, 'jwt'));
    expect(error).toBeInstanceOf(NotAuthenticated);
    expect(error).toMatchObject({ reason: 'token-revoked', code: 401 });
    expect(await denylist.isRevoked(result.authentication!.payload!)).toBe(true);
    await expect(auth.verifyAccessToken(other)).resolves.toMatchObject({ sub: '1' });
  });

  it('revokeAllForSubject refuses every earlier token of the user', async () => {
    let now = Date.UTC(2030, 0, 1);
    const denylist = createDenylist({ store: new Keyv(), clock: () => now });
    const tokens = new TokenService({ secret: TEST_SECRET, revocation: denylist, clock: () => now });
    const first = await tokens.createAccessToken({}, { subject: '42' });
    const payload = await tokens.verifyAccessToken(first);
    now += 1000;
    await denylist.revokeAllForSubject(payload.iss!, '42');
    expect((await rejection(tokens.verifyAccessToken(first))).reason).toBe('token-revoked');
    now += 1000;
    const fresh = await tokens.createAccessToken({}, { subject: '42' });
    await expect(tokens.verifyAccessToken(fresh)).resolves.toMatchObject({ sub: '42' });
  });

  it('a store outage fails verification closed with 503 store-unavailable', async () => {
    const map = new Map<string, unknown>();
    const denylist = createDenylist({ store: new Keyv({ store: map }) });
    const tokens = new TokenService({ secret: TEST_SECRET, revocation: denylist });
    const token = await tokens.createAccessToken({}, { subject: '1' });
    map.get = () => {
      throw new Error('connection lost');
    };
    const error = await rejection(tokens.verifyAccessToken(token));
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({ reason: 'store-unavailable', code: 503 });
  });
});
