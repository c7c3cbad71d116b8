import { afterEach, describe, expect, it } from 'vitest';
import { NotAuthenticated } from '@org/core';
import type { ResolvedVerificationKey, SigningKey } from '../key-material/key-source.ts';
import { TokenService } from '../token/token-service.ts';
import { createKeyRing, type KeyRing } from './key-ring.ts';
import { keyvKeyStore } from './stores/keyv-key-store.ts';
import { DAY, HOUR, KEK, clock, kidOf } from './test-ring-support.ts';

const PERIOD = 30 * DAY;
const T0 = 20_000 * PERIOD + 10 * DAY;
const BOUNDARY = 20_001 * PERIOD;
const rings: KeyRing[] = [];
afterEach(async () => {
  await Promise.all(rings.splice(0).map((r) => r.stop()));
});

async function setup() {
  const time = clock(T0);
  const ring = createKeyRing({ kek: KEK, store: keyvKeyStore(), now: time.now });
  rings.push(ring);
  await ring.start();
  const service = new TokenService({
    keyRing: ring,
    clock: time.now,
    jwtOptions: { expiresIn: '1h' },
    verifiedTokenCache: true,
  });
  return { time, ring, service, size: () => service.verifiedTokenCacheStats!.size };
}

async function refusal(promise: Promise<unknown>): Promise<NotAuthenticated> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NotAuthenticated);
  return error as NotAuthenticated;
}

describe('verified-token cache behind a key ring', () => {
  it('drops the entries of a revoked key at once; its tokens are refused', async () => {
    const { ring, service, size } = await setup();
    const token = await service.createAccessToken({}, { subject: '1' });
    await service.verifyAccessToken(token);
    await service.verifyAccessToken(token);
    expect(size()).toBe(1);
    await ring.revoke(kidOf(token));
    expect(size()).toBe(0);
    expect(await refusal(service.verifyAccessToken(token))).toMatchObject({ reason: 'key-not-found' });
    // The replacement key's tokens are cached as before.
    const next = await service.createAccessToken({}, { subject: '1' });
    expect(kidOf(next)).not.toBe(kidOf(token));
    await service.verifyAccessToken(next);
    expect(size()).toBe(1);
  });

  it('drops the entries of a key when it retires, and keeps those of keys still published', async () => {
    const { time, ring, service, size } = await setup();
    const old = await service.createAccessToken({}, { subject: '1' });
    await service.verifyAccessToken(old);
    time.set(BOUNDARY + HOUR); // the next slot's key signs; the old one still verifies (retiring)
    await ring.refresh();
    const current = await service.createAccessToken({}, { subject: '2' });
    expect(kidOf(current)).not.toBe(kidOf(old));
    await service.verifyAccessToken(current);
    expect(size()).toBe(2);
    time.set(BOUNDARY + ring.settings.retention + HOUR);
    await ring.refresh();
    expect(ring.keys().find((k) => k.kid === kidOf(old))?.state ?? 'retired').toBe('retired');
    expect(size()).toBe(1);
  });

  it('a hit counts only while the source still resolves the same key (a source without change events)', async () => {
    const { ring } = await setup();
    const signing = (await ring.getSigningKey()) as SigningKey;
    let published = true;
    const source = {
      getSigningKey: () => signing,
      resolve: (header: { alg: string; kid?: string }): ResolvedVerificationKey | undefined =>
        published ? ring.resolve(header) : undefined,
    };
    const service = new TokenService({ keyRing: source, verifiedTokenCache: true });
    const token = await service.createAccessToken({}, { subject: '1' });
    await service.verifyAccessToken(token);
    expect(service.verifiedTokenCacheStats!.size).toBe(1);
    published = false;
    expect(await refusal(service.verifyAccessToken(token))).toMatchObject({ reason: 'key-not-found' });
    expect(service.verifiedTokenCacheStats!.size).toBe(0);
  });
});
