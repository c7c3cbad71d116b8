// A key-ring instance in its own process, for key-ring-multiprocess.test.ts (bundled by test-child-bundle.ts).
// Its clock runs SPEED times faster than real time from a base every child shares, so three children agree.
import { SignJWT, jwtVerify } from 'jose';
import { createKeyRing, type KeyRing } from './key-ring.ts';
import type { KeyStore } from './stores/key-store.ts';
import { postgresKeyStore } from './stores/postgres-key-store.ts';
import { redisKeyStore } from './stores/redis-key-store.ts';

const env = process.env;
const speed = Number(env.SPEED);
const realStart = Number(env.REAL_START);
const fakeBase = Number(env.FAKE_BASE);
const now = () => fakeBase + (Date.now() - realStart) * speed;
const store: KeyStore =
  env.STORE === 'redis'
    ? redisKeyStore({ url: env.REDIS_URL ?? 'redis://127.0.0.1:6379', namespace: env.NAMESPACE! })
    : postgresKeyStore({ connectionString: env.DATABASE_URL!, table: env.TABLE!, namespace: env.NAMESPACE! });
const settings = {
  kek: { secret: env.KEK_SECRET! },
  store,
  now,
  rotationPeriod: 60,
  prePublication: 20,
  cacheLifetime: 20,
  maxTokenLifetime: 10,
  clockTolerance: 1,
  refreshInterval: 2,
} as const;
const rings: KeyRing[] = [
  createKeyRing({ ...settings, algorithm: 'ES256' }),
  createKeyRing({ ...settings, algorithm: 'EdDSA' }),
];
const send = (message: unknown) => process.send!(message);

async function sign(ring: KeyRing): Promise<string> {
  const key = await ring.getSigningKey();
  const t = Math.floor(now() / 1000);
  return new SignJWT({ pid: process.pid })
    .setProtectedHeader({ alg: key.alg, kid: key.kid! })
    .setIssuedAt(t)
    .setExpirationTime(t + 10)
    .sign(key.key);
}

async function verify(token: string): Promise<{ ok: true } | { ok: false; code: string }> {
  try {
    await jwtVerify(
      token,
      (header) => {
        const found = rings[0]!.resolve({
          alg: header.alg,
          ...(header.kid !== undefined && { kid: header.kid }),
        });
        if (!found) throw Object.assign(new Error('no key'), { code: 'NO_KEY' });
        return found.key;
      },
      { currentDate: new Date(now()), clockTolerance: 1 },
    );
    return { ok: true };
  } catch (error) {
    return { ok: false, code: String((error as { code?: string }).code ?? (error as Error).message) };
  }
}

process.on('disconnect', () => process.exit(0));
process.on('message', async (message: { id: number; type: string; tokens?: string[] }) => {
  try {
    if (message.type === 'sign') send({ id: message.id, tokens: await Promise.all(rings.map(sign)) });
    else if (message.type === 'verify')
      send({ id: message.id, results: await Promise.all(message.tokens!.map(verify)) });
    else if (message.type === 'keys') send({ id: message.id, keys: rings[0]!.keys(), now: now() });
    else if (message.type === 'stop') {
      await Promise.all(rings.map((r) => r.stop()));
      await store.close();
      send({ id: message.id });
    }
  } catch (error) {
    send({ id: message.id, error: String((error as Error).message) });
  }
});

// The rings' own timers count real milliseconds; under a fast clock, refresh on a real-time beat too.
await Promise.all(rings.map((r) => r.start()));
// Both rings share the store; the verifying ring re-reads once both have written their first keys.
await rings[0]!.refresh();
setInterval(() => rings.forEach((r) => r.refresh().catch(() => undefined)), 100).unref();
send({ type: 'ready' });
