import { generateKeyPairSync } from 'node:crypto';
// node-jose ships no types; it stands for the key stores users migrate from.
// @ts-expect-error no declaration file
import nodeJose from 'node-jose';
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { BadRequest } from '@org/core';
import { createKeyRing, type KeyRing } from './key-ring.ts';
import { keyvKeyStore } from './stores/keyv-key-store.ts';
import { exportJwks, importKeys, parseImportSource } from './ring-key-import.ts';
import { deriveKeks } from './key-encryption-key.ts';
import { sealRecord } from './record-seal.ts';
import { jwkThumbprint } from './jwk-thumbprint.ts';
import { DAY, KEK, clock, signToken, verifyToken } from './test-ring-support.ts';

const T0 = 20_000 * 30 * DAY + 10 * DAY;
let ring: KeyRing;
const c = clock(T0);
afterEach(() => ring?.stop());

async function started(): Promise<KeyRing> {
  c.set(T0);
  ring = createKeyRing({ kek: KEK, store: keyvKeyStore(), now: c.now });
  await ring.start();
  return ring;
}

describe('jwkThumbprint', () => {
  it('equals jose calculateJwkThumbprint for EC, OKP and RSA keys', async () => {
    for (const alg of ['ES256', 'ES512', 'EdDSA', 'RS256'] as const) {
      const { publicKey } = await generateKeyPair(alg, { extractable: true });
      const jwk = await exportJWK(publicKey);
      expect(jwkThumbprint(jwk as Record<string, unknown>)).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
    }
    expect(jwkThumbprint({ kty: 'oct', k: 'abc' })).toBeUndefined();
    expect(jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'a' })).toBeUndefined();
  });
});

describe('importKeys', () => {
  it('imports PEM (private and public, several blocks) as verify-only keys with thumbprint kids', async () => {
    const r = await started();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = `${ec.privateKey.export({ format: 'pem', type: 'pkcs8' })}\n${rsa.publicKey.export({ format: 'pem', type: 'spki' })}`;
    const result = await importKeys(r, pem);
    const expected = [ec.publicKey, rsa.publicKey].map((k) =>
      jwkThumbprint(k.export({ format: 'jwk' }) as Record<string, unknown>),
    );
    expect(result).toEqual({ imported: expected, existing: [] });
    expect(await importKeys(r, pem)).toEqual({ imported: [], existing: expected });
    const published = exportJwks(r).keys.filter((k) => expected.includes(k.kid));
    expect(published.map((k) => [k.alg, k.kty]).sort()).toEqual([
      ['ES384', 'EC'],
      ['RS256', 'RSA'],
    ]);
    const info = r.keys().filter((k) => k.id.startsWith('import:'));
    expect(
      info.map((k) => ({ state: k.state, hasPrivateKey: k.hasPrivateKey, retireAt: k.retireAt })),
    ).toEqual([
      { state: 'retiring', hasPrivateKey: false, retireAt: T0 + r.settings.retention },
      { state: 'retiring', hasPrivateKey: false, retireAt: T0 + r.settings.retention },
    ]);
    expect(exportJwks(r).keys.every((k) => !('d' in k) && !('p' in k))).toBe(true);
    // Never the signing key: the ring keeps signing with its own.
    expect(expected).not.toContain((await r.getSigningKey()).kid);
  });

  it('imports a node-jose key store (toJSON(true)) keeping its kids, so old tokens still verify', async () => {
    const r = await started();
    const keystore = nodeJose.JWK.createKeyStore();
    const ecKey = await keystore.generate('EC', 'P-256', { alg: 'ES256', use: 'sig' });
    await keystore.generate('RSA', 2048, { alg: 'RS256', use: 'sig' });
    const token = await new CompactSign(
      new TextEncoder().encode(
        JSON.stringify({ sub: 'u1', iat: Math.floor(T0 / 1000), exp: Math.floor(T0 / 1000) + 3600 }),
      ),
    )
      .setProtectedHeader({ alg: 'ES256', kid: ecKey.kid })
      .sign(await (await import('jose')).importJWK(ecKey.toJSON(true) as never, 'ES256'));
    const result = await importKeys(r, keystore.toJSON(true) as never);
    expect(result.imported.sort()).toEqual(
      keystore
        .all()
        .map((k: { kid: string }) => k.kid)
        .sort(),
    );
    await expect(verifyToken(r, token, T0)).resolves.toMatchObject({ sub: 'u1' });
    await importKeys(r, keystore as never); // the key store object itself
    expect(r.jwks().keys.filter((k) => result.imported.includes(k.kid!))).toHaveLength(2);
  });

  it('imports a JWK and JSON text; refuses HS, weak and unreadable keys', async () => {
    const r = await started();
    const { publicKey } = await generateKeyPair('PS256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), alg: 'PS256' };
    expect((await importKeys(r, JSON.stringify(jwk))).imported).toEqual([await calculateJwkThumbprint(jwk)]);
    expect(r.jwks().keys.find((k) => k.alg === 'PS256')).toBeDefined();
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      format: 'pem',
      type: 'spki',
    }) as string;
    for (const [source, message] of [
      [
        { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA' },
        "'import[0]' is a symmetric (HS) key; the key ring never holds or publishes one",
      ],
      [weak, "'import[0]' is a 1024 bit RSA key; at least 2048 bits are required"],
      ['hello', 'Key import: text is neither PEM nor JSON'],
      [{ ...jwk, alg: 'ES256' }, "'import[0]' is a rsa key; ES256 needs an EC key"],
    ] as const) {
      await expect(importKeys(r, source as never)).rejects.toThrow(BadRequest);
      await expect(importKeys(r, source as never)).rejects.toThrow(message);
    }
  });
});

describe('an imported kid never shadows a key of the ring', () => {
  it("refuses an import whose kid is a ring key's, storing nothing, and accepts re-importing the same key", async () => {
    const r = await started();
    const signing = (await r.getSigningKey()).kid!;
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const jwk = { ...attacker.export({ format: 'jwk' }), kid: signing, alg: 'ES256' };
    const before = (await r.store.list()).length;
    await expect(importKeys(r, jwk as never)).rejects.toMatchObject({
      name: 'Conflict',
      code: 409,
      reason: 'conflict',
      message: `Key import: kid '${signing}' already names key slot:ES256:20000 of the ring; an imported key cannot take it over`,
    });
    expect((await r.store.list()).length).toBe(before);
    // The ring's own public key, exported and imported back: the same key, nothing to shadow.
    const own = exportJwks(r).keys.find((k) => k.kid === signing)!;
    await expect(importKeys(r, own as never)).resolves.toEqual({ imported: [], existing: [signing] });
    expect(r.resolve({ alg: 'ES256', kid: signing })).toBeDefined();
  });

  it("a stored import record carrying a ring key's kid is not published in its place", async () => {
    const r = await started();
    const signing = await r.getSigningKey();
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const imported = parseImportSource({
      ...attacker.publicKey.export({ format: 'jwk' }),
      kid: signing.kid,
      alg: 'ES256',
    } as never);
    // Written as an older version (or a holder of the KEK) would have: straight to the store.
    const fields = {
      id: `import:${imported[0]!.thumbprint}`,
      kid: signing.kid!,
      alg: 'ES256' as const,
      publicJwk: imported[0]!.publicJwk as never,
      createdAt: T0,
      publishAt: T0,
      activateAt: T0,
      deactivateAt: T0,
      retireAt: T0 + DAY,
    };
    const [kek] = deriveKeks(KEK, 'kek');
    await r.store.createIfAbsent(
      fields.id,
      JSON.stringify(sealRecord(fields, undefined, kek!, { namespace: 'keys' })),
    );
    await r.refresh();
    const published = r.jwks().keys.filter((k) => k.kid === signing.kid);
    expect(published).toHaveLength(1);
    expect(published[0]!.x).toBe(signing.key.export({ format: 'jwk' }).x);
    const token = await signToken(r, T0, 60_000);
    await expect(verifyToken(r, token, T0)).resolves.toBeDefined();
  });
});
