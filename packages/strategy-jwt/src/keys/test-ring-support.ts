// Test support (excluded from the build): a movable clock, a store that can fail, and token helpers that
// sign with a ring's signing key and verify through `ring.resolve`, as the token service does.
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import { Unavailable } from '@org/core';
import type { KeyRing } from './key-ring.ts';
import type { KeyStore } from './stores/key-store.ts';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const KEK = { secret: 'test-kek-secret-0123456789-abcdefghijklmnop' };

export function clock(start: number): {
  now: () => number;
  set: (t: number) => void;
  advance: (ms: number) => number;
} {
  let t = start;
  return { now: () => t, set: (v) => void (t = v), advance: (ms) => (t += ms) };
}

/** A store whose backend can be switched off: every call then rejects like a dead connection. */
export function breakable(store: KeyStore): KeyStore & { down: boolean } {
  const wrapper = { down: false } as KeyStore & { down: boolean };
  for (const method of ['get', 'list', 'createIfAbsent', 'update', 'delete'] as const) {
    (wrapper as any)[method] = (...args: unknown[]) =>
      wrapper.down
        ? Promise.reject(new Unavailable('Key store unavailable', { reason: 'store-unavailable' }))
        : (store as any)[method](...args);
  }
  wrapper.close = () => store.close();
  return wrapper;
}

export async function signToken(
  ring: KeyRing,
  now: number,
  lifetime: number,
  claims: JWTPayload = {},
): Promise<string> {
  const key = await ring.getSigningKey();
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid!, typ: 'JWT' })
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor((now + lifetime) / 1000))
    .sign(key.key);
}

/** Verifies at `now` with the ring's keys; resolves the payload or rejects with jose's error. */
export async function verifyToken(
  ring: KeyRing,
  token: string,
  now: number,
  toleranceSeconds = 300,
): Promise<JWTPayload> {
  const { payload } = await jwtVerify(
    token,
    (header) => {
      const found = ring.resolve({ alg: header.alg, ...(header.kid !== undefined && { kid: header.kid }) });
      if (!found) throw Object.assign(new Error('no key'), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
      return found.key;
    },
    { currentDate: new Date(now), clockTolerance: toleranceSeconds },
  );
  return payload;
}

export function kidOf(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid;
}
