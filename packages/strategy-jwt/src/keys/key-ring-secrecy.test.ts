import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyRing } from './key-ring.ts';
import type { KeyStore } from './stores/key-store.ts';
import { keyvKeyStore } from './stores/keyv-key-store.ts';
import { postgresKeyStore } from './stores/postgres-key-store.ts';
import { redisKeyStore } from './stores/redis-key-store.ts';
import { sqliteKeyStore } from './stores/sqlite-key-store.ts';
import { DAY, KEK, clock } from './test-ring-support.ts';

// Invariant 4: no private member (d, p, q, dp, dq, qi, k) in a JWKS or, in clear, in a store value.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const PERIOD = 30 * DAY;
const run = randomBytes(4).toString('hex');
const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = mkdtempSync(join(tmpdir(), 'org-keys-secrecy-'));
const pgTable = `org_keys_secrecy_${run}`;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS "${pgTable}"`);
  await client.end();
});

function memberNames(value: unknown, out: string[] = []): string[] {
  if (value && typeof value === 'object') {
    for (const [name, inner] of Object.entries(value)) {
      out.push(name);
      memberNames(inner, out);
    }
  }
  return out;
}

const stores: Array<[string, () => KeyStore]> = [
  ['keyv memory', () => keyvKeyStore()],
  ['sqlite', () => sqliteKeyStore({ filename: join(dir, 'keys.sqlite'), namespace: `s${run}` })],
  ['redis', () => redisKeyStore({ namespace: `secrecy_${run}` })],
  ['postgres', () => postgresKeyStore({ connectionString, table: pgTable, namespace: `secrecy_${run}` })],
];

describe.each(stores)('no private key material in clear: %s', (_name, open) => {
  it('in the JWKS and in every stored value, through rotation, revocation and retirement', async () => {
    const store = open();
    const c = clock(20_000 * PERIOD + 10 * DAY);
    const rings = (['ES256', 'RS256', 'EdDSA'] as const).map((algorithm) =>
      createKeyRing({ kek: KEK, store, now: c.now, algorithm }),
    );
    const secrets: string[] = [];
    const collect = async () => {
      for (const r of rings) {
        const jwk = (await r.getSigningKey()).key.export({ format: 'jwk' }) as Record<string, string>;
        for (const name of PRIVATE_MEMBERS) if (jwk[name]) secrets.push(jwk[name]!);
        secrets.push(
          (await r.getSigningKey()).key
            .export({ format: 'der', type: 'pkcs8' })
            .toString('base64')
            .slice(0, 60),
        );
      }
    };
    const check = async () => {
      for (const r of rings) {
        for (const key of r.jwks().keys) {
          expect(Object.keys(key).filter((m) => PRIVATE_MEMBERS.includes(m))).toEqual([]);
          expect(Object.keys(key).sort()).toEqual(expect.arrayContaining(['alg', 'kid', 'kty', 'use']));
        }
      }
      const entries = await store.list();
      expect(entries.length).toBeGreaterThan(0);
      for (const { value } of entries) {
        expect(memberNames(JSON.parse(value)).filter((m) => PRIVATE_MEMBERS.includes(m))).toEqual([]);
        expect(value).not.toMatch(/PRIVATE KEY/);
        for (const secret of secrets) expect(value).not.toContain(secret);
      }
    };
    try {
      for (const r of rings) await r.start();
      await collect();
      await check();
      await rings[0]!.revoke((await rings[0]!.getSigningKey()).kid!);
      await rings[1]!.rotate({ immediate: true });
      await collect();
      await check();
      c.advance(PERIOD + 3 * DAY); // a boundary: keys stop signing, lose their private key, later retire
      for (const r of rings) await r.refresh();
      await collect();
      await check();
    } finally {
      await Promise.all(rings.map((r) => r.stop()));
      for (const { id } of await store.list()) await store.delete(id);
      await store.close();
    }
  }, 60_000);
});
