import { BadRequest } from '@org/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenService } from '../token/token-service.ts';
import { createKeyRing, type KeyRing } from './key-ring.ts';
import { keyvKeyStore } from './stores/keyv-key-store.ts';
import { DAY, KEK, MINUTE, kidOf } from './test-ring-support.ts';

const PERIOD = 30 * DAY;
let ring: KeyRing | undefined;
afterEach(async () => {
  await ring?.stop();
  vi.useRealTimers();
});

describe('KeyRing behind the TokenService', () => {
  it('signs with the active key and verifies through resolve, across a rotation driven by its own timer', async () => {
    vi.useFakeTimers({ now: 20_001 * PERIOD - DAY - 10 * MINUTE });
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

describe("the key ring's maxTokenLifetime bounds every token (invariant 2)", () => {
  async function startRing(maxTokenLifetime?: string, now = 20_001 * PERIOD + DAY): Promise<KeyRing> {
    vi.useFakeTimers({ now });
    ring = createKeyRing({
      kek: KEK,
      store: keyvKeyStore(),
      ...(maxTokenLifetime === undefined ? {} : { maxTokenLifetime }),
    });
    await ring.start();
    return ring;
  }

  async function failure(promise: Promise<unknown>): Promise<BadRequest> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BadRequest);
    return error as BadRequest;
  }

  it('refuses at construction a jwtOptions.expiresIn longer than the ring allows, naming both and the setting', async () => {
    const keyRing = await startRing();
    let error: unknown;
    try {
      new TokenService({ keyRing, jwtOptions: { expiresIn: '90d' } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({
      code: 400,
      reason: 'invalid-configuration',
      message:
        "'authentication.jwtOptions.expiresIn' (7776000 s) is longer than the key ring's 'keyRing.maxTokenLifetime' (86400 s): " +
        "its tokens would outlive their key in the JWKS. Lower 'authentication.jwtOptions.expiresIn' or raise 'keyRing.maxTokenLifetime'",
    });
  });

  it('accepts a configured expiresIn up to the limit, and the default 1d with the default ring', async () => {
    const keyRing = await startRing('7d');
    expect(() => new TokenService({ keyRing, jwtOptions: { expiresIn: '7d' } })).not.toThrow();
    expect(() => new TokenService({ keyRing, jwtOptions: { expiresIn: '8d' } })).toThrow(
      /'keyRing.maxTokenLifetime' \(604800 s\)/,
    );
    await ring!.stop();
    const defaults = await startRing();
    const service = new TokenService({ keyRing: defaults });
    const payload = await service.verifyAccessToken(await service.createAccessToken({}, { subject: '1' }));
    expect(payload.exp! - payload.iat!).toBe(86_400);
  });

  it('refuses, rather than caps, a per-call expiresIn beyond the limit', async () => {
    const keyRing = await startRing();
    const service = new TokenService({ keyRing, jwtOptions: { expiresIn: '1h' } });
    const error = await failure(service.createAccessToken({}, { subject: '1', expiresIn: '90d' }));
    expect(error).toMatchObject({
      code: 400,
      reason: 'bad-request',
      message: "Token lifetime (expiresIn 7776000 s) exceeds the key ring's maxTokenLifetime (86400 s)",
    });
    const atLimit = await service.createAccessToken({}, { subject: '1', expiresIn: '1d' });
    const payload = await service.verifyAccessToken(atLimit);
    expect(payload.exp! - payload.iat!).toBe(86_400);
  });

  it('refuses a payload exp beyond the limit, and a token at the limit verifies until its exp across a rotation', async () => {
    const keyRing = await startRing(undefined, 20_001 * PERIOD - 5 * MINUTE);
    const service = new TokenService({ keyRing });
    const now = Math.floor(Date.now() / 1000);
    const error = await failure(service.createAccessToken({ exp: now + 90 * 86_400 }, { subject: '1' }));
    expect(error).toMatchObject({
      code: 400,
      reason: 'bad-request',
      message: "Token exp is beyond the key ring's maxTokenLifetime (86400 s)",
    });

    const token = await service.createAccessToken({}, { subject: '1' });
    const signer = kidOf(token);
    // Its key stops signing five minutes later; the token still verifies one second before its exp.
    await vi.advanceTimersByTimeAsync(DAY - 1000);
    expect((await ring!.getSigningKey()).kid).not.toBe(signer);
    expect(ring!.jwks().keys.map((k) => k.kid)).toContain(signer);
    await expect(service.verifyAccessToken(token)).resolves.toMatchObject({ sub: '1' });
  });

  it('never signs a token without exp', async () => {
    const keyRing = await startRing();
    const service = new TokenService({ keyRing });
    for (const expiresIn of [0, null, '0s']) {
      const error = await failure(
        service.createAccessToken({}, { subject: '1', expiresIn: expiresIn as unknown as string }),
      );
      expect(error).toMatchObject({ reason: 'invalid-configuration' });
    }
    const payload = await service.verifyAccessToken(
      await service.createAccessToken({ exp: undefined }, { subject: '1', expiresIn: undefined }),
    );
    expect(payload.exp! - payload.iat!).toBe(86_400);
  });
});

describe('jwtOptions.algorithm with a key ring (issue 16 item 5)', () => {
  it('an algorithm the ring does not sign with fails at setup, naming both', async () => {
    vi.useFakeTimers({ now: 20_001 * PERIOD + DAY });
    ring = createKeyRing({ kek: KEK, store: keyvKeyStore(), algorithm: 'ES256' });
    await ring.start();
    expect(() => new TokenService({ keyRing: ring!, jwtOptions: { algorithm: 'RS256' } })).toThrow(
      "'authentication.jwtOptions.algorithm' is RS256 but the key ring signs ES256 ('keyRing.algorithm'): " +
        "remove 'authentication.jwtOptions.algorithm' or set both to the same algorithm",
    );
    expect(() =>
      TokenService.fromConfiguration({ keyRing: ring, jwtOptions: { algorithm: 'EdDSA' } }),
    ).toThrow(BadRequest);
  });

  it("the ring's own algorithm named explicitly: the service verifies its own tokens", async () => {
    vi.useFakeTimers({ now: 20_001 * PERIOD + DAY });
    ring = createKeyRing({ kek: KEK, store: keyvKeyStore(), algorithm: 'EdDSA' });
    await ring.start();
    const service = new TokenService({ keyRing: ring, jwtOptions: { algorithm: 'EdDSA' } });
    const token = await service.createAccessToken({}, { subject: '1' });
    await expect(service.verifyAccessToken(token)).resolves.toMatchObject({ sub: '1' });
  });

  it("a per-call algorithm other than the signing key's is refused, never ignored", async () => {
    vi.useFakeTimers({ now: 20_001 * PERIOD + DAY });
    ring = createKeyRing({ kek: KEK, store: keyvKeyStore() });
    await ring.start();
    const service = new TokenService({ keyRing: ring });
    await expect(service.createAccessToken({}, { subject: '1', algorithm: 'RS256' })).rejects.toMatchObject({
      reason: 'invalid-configuration',
      message: 'Cannot sign with RS256: the configured key signs ES256',
    });
  });
});
