import { describe, expect, test } from 'vitest';
import { BadRequest, NotAuthenticated } from '@org/core';
import type { JwsAlgorithm } from '../key-material/algorithms.ts';
import { StaticKeySource } from '../key-material/key-source.ts';
import { parseCompact } from './compact-parse.ts';
import { resolveVerifyOptions } from './options.ts';
import { NOW_MS, claims, forge, keysFor, SECRET } from './test-keys.ts';
import { TokenService } from './token-service.ts';
import { verifyParsedToken } from './verify-token.ts';

const ALGS: JwsAlgorithm[] = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA', 'HS256'];

function services(alg: JwsAlgorithm) {
  const { privateKey } = keysFor(alg);
  const base = {
    ...(alg === 'HS256' ? { secret: SECRET.repeat(2) } : { privateKey }),
    jwtOptions: { algorithm: alg },
    clock: () => NOW_MS,
  };
  return {
    sync: new TokenService(base),
    offloaded: new TokenService({ ...base, verifyOptions: { offloadSignature: true } }),
  };
}

/** Every way of breaking a token the signature step (not the pre-parser) has to catch. */
function tampered(token: string): string[] {
  const [h, p, s] = token.split('.') as [string, string, string];
  const bytes = Buffer.from(s, 'base64url');
  const flip = (i: number) => {
    const copy = Buffer.from(bytes);
    copy[i]! ^= 1;
    return `${h}.${p}.${copy.toString('base64url')}`;
  };
  const otherClaims = Buffer.from(
    JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'attacker' }),
  ).toString('base64url');
  return [
    flip(0),
    flip(bytes.length - 1),
    `${h}.${otherClaims}.${s}`,
    `${h}.${p}.${bytes.subarray(0, bytes.length - 1).toString('base64url')}`,
    `${h}.${p}.${Buffer.concat([bytes, Buffer.from([0])]).toString('base64url')}`,
  ];
}

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (payload) => ({ ok: payload }),
    (error: unknown) => {
      expect(error).toBeInstanceOf(NotAuthenticated);
      return { reason: (error as NotAuthenticated).reason };
    },
  );
}

describe('verifyOptions.offloadSignature', () => {
  test.each(ALGS)('%s: accepts and refuses exactly the tokens the synchronous path does', async (alg) => {
    const { sync, offloaded } = services(alg);
    const token = await sync.createAccessToken({ role: 'r' }, { subject: '1' });
    const good = await offloaded.verifyAccessToken(token);
    expect(good).toEqual(await sync.verifyAccessToken(token));
    for (const bad of tampered(token)) {
      const expected = await outcome(sync.verifyAccessToken(bad));
      expect(expected).toEqual({ reason: 'invalid-signature' });
      expect(await outcome(offloaded.verifyAccessToken(bad))).toEqual(expected);
    }
    // A token whose signature is fine but whose claims are not: the same verdict after the offloaded step.
    const expired = forge(
      alg,
      keysFor(alg).privateKey,
      JSON.stringify({ alg, typ: 'access' }),
      JSON.stringify(claims({ exp: NOW_MS / 1000 - 10 })),
    );
    expect(await outcome(offloaded.verifyAccessToken(expired))).toEqual({ reason: 'token-expired' });
    expect(await outcome(sync.verifyAccessToken(expired))).toEqual({ reason: 'token-expired' });
  });

  test('asymmetric signatures go through the callback form; HMAC stays synchronous', async () => {
    for (const alg of ALGS) {
      const { privateKey, publicKey } = keysFor(alg);
      const token = forge(alg, privateKey, JSON.stringify({ alg, typ: 'access' }), JSON.stringify(claims()));
      const source = new StaticKeySource([{ alg, key: publicKey }]);
      const options = resolveVerifyOptions(
        { offloadSignature: true },
        { algorithms: [alg], audience: 'https://yourdomain.com', issuer: 'feathers', typ: 'access' },
      );
      const result = verifyParsedToken(parseCompact(token), source, options, NOW_MS / 1000);
      expect(result instanceof Promise).toBe(alg !== 'HS256');
      expect((await result).payload).toMatchObject({ sub: '42' });
    }
  });

  test('works with the verified-token cache: the offloaded miss fills it', async () => {
    const { privateKey } = keysFor('ES256');
    const service = new TokenService({
      privateKey,
      clock: () => NOW_MS,
      verifyOptions: { offloadSignature: true },
      verifiedTokenCache: true,
    });
    const token = await service.createAccessToken({}, { subject: '9' });
    expect(await service.verifyAccessToken(token)).toMatchObject({ sub: '9' });
    expect(service.verifiedTokenCacheStats!.size).toBe(1);
    expect(await service.verifyAccessToken(token)).toMatchObject({ sub: '9' });
  });

  test('is a boolean', () => {
    expect(
      () => new TokenService({ secret: SECRET, verifyOptions: { offloadSignature: 'yes' as never } }),
    ).toThrow(BadRequest);
    expect(
      () => new TokenService({ secret: SECRET, verifyOptions: { offloadSignatures: true } as never }),
    ).toThrow(
      "Unknown option 'authentication.verifyOptions.offloadSignatures'. Did you mean 'authentication.verifyOptions.offloadSignature'?",
    );
  });
});
