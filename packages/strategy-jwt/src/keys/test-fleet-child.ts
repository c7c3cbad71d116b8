// One key-ring instance in its own process, for key-ring-fleet-faults.test.ts (bundled by test-child-bundle.ts).
// Its clock is the reference time the parent sends with each tick plus a fixed offset: nothing depends on
// how fast the machine runs. Each tick it refreshes when due (every refreshInterval on its own clock, a little
// early at random, and at its next state change, as the ring's timer would), verifies the tokens the fleet
// signed on the previous tick, signs one, and reports its JWKS, its store writes and its ring's events.
import { SignJWT, jwtVerify } from 'jose';
import type { KekSpec } from './key-encryption-key.ts';
import type { ClockSkew, IntegrityFailure } from './key-ring-events.ts';
import { createKeyRing, type KeyRing } from './key-ring.ts';
import type { KeyStore } from './stores/key-store.ts';
import { postgresKeyStore } from './stores/postgres-key-store.ts';
import { redisKeyStore } from './stores/redis-key-store.ts';
import { sqliteKeyStore } from './stores/sqlite-key-store.ts';
import { FAST_SCHEDULE } from './test-skewed-fleet.ts';

/** How the parent configures an instance. */
export interface ChildConfig {
  name: string;
  offset: number;
  keks: KekSpec[];
  store:
    | { kind: 'redis'; url: string; namespace: string }
    | { kind: 'postgres'; url: string; table: string; namespace: string }
    | { kind: 'sqlite'; filename: string; namespace: string };
  /** Reference time at start. */
  at: number;
  seed: number;
}

/** A token the fleet signed, to verify. */
export interface FleetToken {
  token: string;
  kid: string;
  signedBy: string;
  signedAt: number;
  exp: number;
}

/** One store write this instance made. */
export interface ChildWrite {
  op: 'create' | 'update' | 'delete';
  id: string;
  revoke?: boolean;
}

// Connecting counts against it: generous enough for a loaded machine, short enough for the hung-store phase.
const STORE_TIMEOUT = 1500;
let config: ChildConfig;
let reference = 0;
let ring: KeyRing;
let store: KeyStore;
let nextRefresh = 0;
// The state change the ring's timer was set for at the end of the previous tick (asking nextChangeAt() once
// the clock passed it would already answer the one after).
let wake: number | undefined;
let seed = 1;
let dieAfter: 'create' | 'revoke' | undefined;
let writes: ChildWrite[] = [];
let integrity: IntegrityFailure[] = [];
let skews: ClockSkew[] = [];
const now = () => reference + config.offset;
const send = (message: unknown) => process.send!(message);

function random(): number {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
  return seed >>> 16;
}

/** The store, reporting every write, and killing this process (kill -9) right after an armed one. */
function recording(inner: KeyStore): KeyStore {
  const after = (write: ChildWrite, done: boolean) => {
    if (!done) return;
    writes.push(write);
    if ((dieAfter === 'create' && write.op === 'create') || (dieAfter === 'revoke' && write.revoke))
      process.kill(process.pid, 'SIGKILL');
  };
  return {
    namespace: inner.namespace,
    get: (id) => inner.get(id),
    list: () => inner.list(),
    close: () => inner.close(),
    async createIfAbsent(id, value) {
      const done = await inner.createIfAbsent(id, value);
      after({ op: 'create', id }, done);
      return done;
    },
    async update(id, value, expected) {
      const done = await inner.update(id, value, expected);
      const revoke = (JSON.parse(value) as { revokedAt?: number }).revokedAt !== undefined;
      const before = expected === undefined ? undefined : (JSON.parse(expected) as { revokedAt?: number });
      after({ op: 'update', id, revoke: revoke && before?.revokedAt === undefined }, done);
      return done;
    },
    async delete(id) {
      const done = await inner.delete(id);
      after({ op: 'delete', id }, done);
      return done;
    },
  };
}

function openStore(): KeyStore {
  const s = config.store;
  if (s.kind === 'redis')
    return redisKeyStore({ url: s.url, namespace: s.namespace, timeout: STORE_TIMEOUT });
  if (s.kind === 'postgres') {
    return postgresKeyStore({
      connectionString: s.url,
      table: s.table,
      namespace: s.namespace,
      timeout: STORE_TIMEOUT,
    });
  }
  return sqliteKeyStore({ filename: s.filename, namespace: s.namespace });
}

/** Opens the ring (a deploy of this instance). Resolves an error description when `start()` refused. */
async function deploy(keks: KekSpec[]): Promise<Record<string, unknown> | undefined> {
  config = { ...config, keks };
  const inner = openStore();
  // The first call loads the driver and connects, which can take longer than a call's timeout on a loaded
  // machine: warm the connection up before the ring's first read (an orchestrator would retry the start).
  for (let attempt = 0; attempt < 10; attempt++) {
    if (
      await inner.list().then(
        () => true,
        () => false,
      )
    )
      break;
  }
  store = recording(inner);
  ring = createKeyRing({
    ...FAST_SCHEDULE,
    unknownKidCooldown: 1,
    kek: keks,
    store,
    now,
    onIntegrityFailure: (f) => integrity.push(f),
    onClockSkew: (s) => skews.push(s),
  });
  nextRefresh = now() + FAST_SCHEDULE.refreshInterval * 1000;
  try {
    await ring.start();
    wake = ring.nextChangeAt();
    return undefined;
  } catch (error) {
    const { name, message, reason, data, cause } = error as Record<string, unknown>;
    return {
      name,
      message,
      reason,
      data,
      ...(cause !== undefined && { cause: String((cause as Error).message) }),
    };
  }
}

async function sign(): Promise<
  { token: string; kid: string; exp: number } | { error: string; reason?: string }
> {
  try {
    const key = await ring.getSigningKey();
    const iat = Math.floor(now() / 1000);
    const exp = iat + FAST_SCHEDULE.maxTokenLifetime;
    const token = await new SignJWT({ by: config.name })
      .setProtectedHeader({ alg: key.alg, kid: key.kid! })
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(key.key);
    return { token, kid: key.kid!, exp: exp * 1000 };
  } catch (error) {
    const { message, reason } = error as { message: string; reason?: string };
    return { error: message, ...(reason !== undefined && { reason }) };
  }
}

async function verify(token: string): Promise<{ ok: boolean; code?: string }> {
  try {
    await jwtVerify(
      token,
      (header) => {
        const found = ring.resolve({ alg: header.alg, ...(header.kid !== undefined && { kid: header.kid }) });
        if (!found) throw Object.assign(new Error('no key for kid'), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
        return found.key;
      },
      { currentDate: new Date(now()), clockTolerance: FAST_SCHEDULE.clockTolerance },
    );
    return { ok: true };
  } catch (error) {
    return { ok: false, code: String((error as { code?: string }).code ?? (error as Error).message) };
  }
}

async function tick(at: number, tokens: FleetToken[]) {
  reference = at;
  if (now() >= nextRefresh || (wake !== undefined && now() >= wake)) {
    nextRefresh = now() + FAST_SCHEDULE.refreshInterval * 1000 - 1000 * (random() % 3);
    await ring.refresh().catch(() => undefined);
  }
  const verifications = [];
  for (const t of tokens) verifications.push({ kid: t.kid, ...(await verify(t.token)) });
  const signed = await sign();
  wake = ring.nextChangeAt();
  const report = {
    jwks: ring.jwks().keys.map((k) => k.kid!),
    signed,
    verifications,
    writes,
    integrity,
    skews,
  };
  writes = [];
  integrity = [];
  skews = [];
  return report;
}

type Message =
  | { id: number; type: 'start'; config: ChildConfig }
  | { id: number; type: 'tick'; at: number; tokens: FleetToken[] }
  | { id: number; type: 'arm'; dieAfter?: 'create' | 'revoke' }
  | { id: number; type: 'revoke'; kid: string }
  | { id: number; type: 'redeploy'; keks: KekSpec[] }
  | { id: number; type: 'rewrap' }
  | { id: number; type: 'stop' };

async function handle(message: Message): Promise<unknown> {
  switch (message.type) {
    case 'start': {
      config = message.config;
      reference = config.at;
      seed = config.seed;
      const refused = await deploy(config.keks);
      return { refused, writes: writes.splice(0), integrity: integrity.splice(0) };
    }
    case 'tick':
      return tick(message.at, message.tokens);
    case 'arm':
      dieAfter = message.dieAfter;
      return {};
    case 'revoke':
      await ring.revoke(message.kid);
      return {};
    case 'redeploy': {
      await ring.stop();
      await store.close();
      return { refused: await deploy(message.keks) };
    }
    case 'rewrap':
      return ring.rewrap();
    case 'stop':
      await ring.stop();
      await store.close();
      return {};
  }
}

process.on('disconnect', () => process.exit(0));
process.on('message', (message: Message) => {
  handle(message).then(
    (reply) => send({ id: message.id, reply }),
    (error: unknown) => send({ id: message.id, error: String((error as Error)?.message ?? error) }),
  );
});
send({ type: 'ready' });
