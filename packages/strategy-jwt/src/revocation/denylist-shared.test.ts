import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import KeyvPostgres from '@keyv/postgres';
import KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from '../shared/test-child-bundle.ts';
import { createDenylist } from './denylist.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ISS = 'https://auth.example.com';
const NAMESPACE = `jwks-helper-revoked-${randomUUID()}`;

interface Child {
  call(op: string, args: unknown): Promise<unknown>;
  close(): Promise<void>;
}

function startChild(script: string): Promise<Child> {
  const proc: ChildProcessWithoutNullStreams = spawn(process.execPath, [script, REDIS_URL, NAMESPACE]);
  const pending: ((value: unknown) => void)[] = [];
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += String(d)));
  const lines = createInterface({ input: proc.stdout });
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`child exited ${code}: ${stderr}`)));
    lines.once('line', () => {
      lines.on('line', (line) => pending.shift()?.(JSON.parse(line)));
      resolve({
        call: (op, args) =>
          new Promise((res) => {
            pending.push(res);
            proc.stdin.write(`${JSON.stringify({ op, args })}\n`);
          }),
        close: () =>
          new Promise((res) => {
            proc.once('exit', () => res());
            proc.stdin.end();
          }),
      });
    });
  });
}

function payload(jti: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISS, sub: 'user-1', jti, iat: now - 10, exp: now + 600, ...over };
}

describe('revocation across two processes sharing real Redis', () => {
  let a: Child;
  let b: Child;

  beforeAll(async () => {
    const script = await bundleChild(new URL('./test-child-denylist.ts', import.meta.url), 'denylist');
    [a, b] = await Promise.all([startChild(script), startChild(script)]);
  }, 30_000);

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('a token revoked by one process is refused by the other', async () => {
    const token = payload(`t-${randomUUID()}`);
    expect(await b.call('isRevoked', token)).toEqual({ result: false });
    expect(await a.call('revoke', token)).toEqual({ result: null });
    expect(await b.call('isRevoked', token)).toEqual({ result: true });
    expect(await a.call('isRevoked', token)).toEqual({ result: true });
    expect(await b.call('isRevoked', payload(`t-${randomUUID()}`))).toEqual({ result: false });
  });

  it('"revoke all" for a subject in one process refuses its older tokens in the other', async () => {
    const sub = `user-${randomUUID()}`;
    const token = payload(`t-${randomUUID()}`, { sub });
    expect(await b.call('isRevoked', token)).toEqual({ result: false });
    expect(await b.call('revokeAll', { iss: ISS, sub })).toEqual({ result: null });
    expect(await a.call('isRevoked', token)).toEqual({ result: true });
    const fresh = payload(`t-${randomUUID()}`, { sub, iat: Math.floor(Date.now() / 1000) + 2 });
    expect(await a.call('isRevoked', fresh)).toEqual({ result: false });
  });
});

describe('denylist entries on real Redis', () => {
  it('carry a TTL of exp - now + tolerance, and are gone after it', async () => {
    const adapter = new KeyvRedis(REDIS_URL);
    const namespace = `jwks-helper-ttl-${randomUUID()}`;
    const denylist = createDenylist({ store: new Keyv(adapter), namespace, tolerance: 0 });
    try {
      const exp = Math.floor(Date.now() / 1000) + 100;
      const before = Date.now();
      await denylist.revoke(payload('ttl', { exp }));
      const client = await adapter.getClient();
      const keys: string[] = [];
      keys.push(...(await client.keys(`*${namespace}*`)));
      expect(keys).toHaveLength(1);
      const pttl = await client.pTTL(keys[0]!);
      expect(pttl).toBeGreaterThan(exp * 1000 - Date.now() - 2000);
      expect(pttl).toBeLessThanOrEqual(exp * 1000 - before + 1);

      // A short-lived token: its entry really disappears from Redis.
      await denylist.revoke(payload('short', { exp: Math.floor(Date.now() / 1000) + 1 }));
      expect(await denylist.isRevoked(payload('short'))).toBe(true);
      await new Promise((r) => setTimeout(r, 1100));
      expect(await denylist.isRevoked(payload('short'))).toBe(false);
    } finally {
      await adapter.disconnect();
    }
  });
});

describe('denylist shared through real Postgres', () => {
  it('two denylists on one table see each other’s revocations', async () => {
    const table = `jwks_helper_revoked_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const one = new KeyvPostgres({ uri: POSTGRES_URL, table });
    // @keyv/postgres shares one pool per URI, so one disconnect closes both.
    const two = new KeyvPostgres({ uri: POSTGRES_URL, table });
    try {
      const first = createDenylist({ store: new Keyv(one) });
      const second = createDenylist({ store: new Keyv(two) });
      const token = payload(`t-${randomUUID()}`);
      await first.revoke(token);
      expect(await second.isRevoked(token)).toBe(true);
      expect(await second.isRevoked(payload('other'))).toBe(false);
      await one.query(`DROP TABLE IF EXISTS ${table}`);
    } finally {
      await one.disconnect();
    }
  });
});
