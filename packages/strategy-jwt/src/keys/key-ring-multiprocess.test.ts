import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from '../shared/test-child-bundle.ts';
import { redisKeyStore } from './stores/redis-key-store.ts';

// Invariant 3 with real processes: three instances share a real store and rotate under a clock 20x real
// time (a 60 s period is 3 s): every token any of them signs verifies on every other.
const SPEED = 20;
const PERIOD = 60_000;
const RUN_MS = 10_000; // more than three periods
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = randomBytes(4).toString('hex');
let childFile: string;

beforeAll(async () => {
  childFile = await bundleChild(new URL('./test-ring-child.ts', import.meta.url), 'ring-child');
}, 60_000);

afterAll(async () => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS "org_keys_mp_${run}"`);
  await client.end();
  const redis = redisKeyStore({ namespace: `mp_${run}` });
  for (const { id } of await redis.list()) await redis.delete(id);
  await redis.close();
});

interface Child {
  process: ChildProcess;
  call<T>(message: Record<string, unknown>): Promise<T>;
}

function spawn(env: Record<string, string>): Promise<Child> {
  const child = fork(childFile, [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (value: any) => void>();
  let next = 0;
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before it was ready`)));
    child.on('message', (message: any) => {
      if (message.type === 'ready') {
        resolve({
          process: child,
          call: (m) =>
            new Promise((done, fail) => {
              const id = ++next;
              pending.set(id, (reply) => (reply.error ? fail(new Error(reply.error)) : done(reply)));
              child.send({ ...m, id });
            }),
        });
      } else {
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      }
    });
  });
}

describe.each([
  ['redis', { STORE: 'redis', NAMESPACE: `mp_${run}` }],
  [
    'postgres',
    { STORE: 'postgres', DATABASE_URL: databaseUrl, TABLE: `org_keys_mp_${run}`, NAMESPACE: 'mp' },
  ],
])('three processes sharing real %s', (_name, storeEnv) => {
  it('rotate together: every token verifies everywhere; one active key per algorithm', async () => {
    const realStart = Date.now();
    // Start 50 fake seconds into a slot: the first boundary comes after half a real second.
    const fakeBase = Math.floor(realStart / PERIOD) * PERIOD + 50_000;
    const env = {
      ...storeEnv,
      SPEED: String(SPEED),
      REAL_START: String(realStart),
      FAKE_BASE: String(fakeBase),
      KEK_SECRET: `multi-process-kek-${run}-0123456789abcdef`,
    };
    const children = await Promise.all([spawn(env), spawn(env), spawn(env)]);
    try {
      const failures: string[] = [];
      const kids = new Set<string>();
      let recent: Array<{ token: string; at: number }> = [];
      let checked = 0;
      while (Date.now() - realStart < RUN_MS) {
        const signed = (
          await Promise.all(children.map((c) => c.call<{ tokens: string[] }>({ type: 'sign' })))
        ).flatMap((r) => r.tokens);
        for (const token of signed)
          kids.add(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid);
        recent = [
          ...recent.filter((r) => Date.now() - r.at < 400),
          ...signed.map((token) => ({ token, at: Date.now() })),
        ];
        const tokens = recent.map((r) => r.token);
        const replies = await Promise.all(
          children.map((c) =>
            c.call<{ results: Array<{ ok: boolean; code?: string }> }>({ type: 'verify', tokens }),
          ),
        );
        for (const [i, reply] of replies.entries()) {
          reply.results.forEach((result, j) => {
            checked++;
            // A token of the last 400 ms (8 fake seconds) is inside its 10 s lifetime: only a missing key could fail it.
            if (!result.ok) failures.push(`child ${i}: token ${j}: ${result.code}`);
          });
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(failures).toEqual([]);
      expect(checked).toBeGreaterThan(300);
      // Two algorithms, and at least three boundaries crossed: at least 2 * 4 distinct keys signed.
      expect(kids.size).toBeGreaterThanOrEqual(8);
      for (const child of children) {
        const { keys } = await child.call<{ keys: Array<{ alg: string; state: string; id: string }> }>({
          type: 'keys',
        });
        const active = keys.filter((k) => k.state === 'active');
        expect(active.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA']);
      }
    } finally {
      await Promise.all(children.map((c) => c.call({ type: 'stop' }).catch(() => undefined)));
      for (const c of children) c.process.kill();
    }
  }, 60_000);
});
