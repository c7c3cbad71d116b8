import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenService } from '../token-service.ts';
import { createKeyRing, type KeyRing } from './key-ring.ts';
import { keyvKeyStore } from './keyv-key-store.ts';
import { DAY, KEK, MINUTE, kidOf } from './test-ring-support.ts';

const PERIOD = 30 * DAY;
let ring: KeyRing | undefined;
afterEach(async () => {
  await ring?.stop();
  vi.useRealTimers();
});

describe('KeyRing behind the TokenService', () => {
  it('signs with the active key and verifies through resolve, across a rotation driven by its own timer', async () => {
    vi.useFakeTimers({ now: 20_001 * PERIOD - DAY - 5 * MINUTE });
    ring = createKeyRing({ kek: KEK, store: keyvKeyStore() });
    await ring.start();
    const service = new TokenService({ keyRing: ring, jwtOptions: { expiresIn: '1h' } });
    const first = await service.createAccessToken({ sub: 'u1' });
    expect(kidOf(first)).toBe((await ring.getSigningKey()).kid);
    await expect(service.verifyAccessToken(first)).resolves.toMatchObject({ sub: 'u1' });
    let changes = 0;
    ring.onChange(() => changes++);
    // No manual refresh: the ring's timer wakes at each state change (publication, then activation).
    await vi.advanceTimersByTimeAsync(10 * MINUTE);
    expect(changes).toBe(1);
    expect(ring.jwks().keys).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(DAY);
    const second = await service.createAccessToken({ sub: 'u2' });
    expect(kidOf(second)).not.toBe(kidOf(first));
    await expect(service.verifyAccessToken(first)).rejects.toMatchObject({ reason: 'token-expired' });
    await expect(service.verifyAccessToken(second)).resolves.toMatchObject({ sub: 'u2' });
  });
});
