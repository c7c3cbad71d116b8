import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from '../shared/test-child-bundle.ts';
import type { KekSpec } from './key-encryption-key.ts';
import type { KeyRecord } from './key-record.ts';
import { slotDates } from './key-schedule.ts';
import { resolveKeyRingSettings } from './key-ring-options.ts';
import { sealRecord } from './record-seal.ts';
import { deriveKek } from './key-encryption-key.ts';
import { generateSigningKeyPair } from './signing-key-pair.ts';
import type { KeyStore } from './stores/key-store.ts';
import { postgresKeyStore } from './stores/postgres-key-store.ts';
import { redisKeyStore } from './stores/redis-key-store.ts';
import { sqliteKeyStore } from './stores/sqlite-key-store.ts';
import { startTcpProxy, type TestTcpProxy } from './stores/test-tcp-proxy.ts';
import type { ChildConfig } from './test-fleet-child.ts';
import { ProcessFleet } from './test-fleet-harness.ts';
import { fleetViolations, when, type Faults } from './test-fleet-invariants.ts';
import { FAST_SCHEDULE, FAST_SETTINGS } from './test-skewed-fleet.ts';

// Invariants 2 and 3 with real processes on every shared store (the in-memory store is one process: the
// in-process tests cover it). Four instances, clocks 3 s ahead to 1 s behind (4 s apart, under the 5 s
// tolerance), the operator schedule (60 s rotation, 20 s pre-publication and cache lifetime, 4 s
// refresh), run in lockstep on a reference clock: each tick every instance verifies the fleet's tokens of the
// previous tick and signs one, while the test injects, on one timeline per store:
//   S1+10  kill -9 right after the next create (whoever writes it; it is restarted)
//   S2+15  store down 10 s, then S2+30 hung 8 s (through a TCP proxy; not for SQLite, a file)
//   S2+45  a record sealed under a wrong KEK planted as the head of S4's chain (a misconfigured deploy won a race)
//   S2+50  an instance deployed with a wrong KEK: it must refuse to start and write nothing
//   S3+10  revocation of the signing key, the revoking instance killed -9 right after its write
//   S3+30  one flipped byte in the MAC of the signing record
//   S4+5   rolling KEK rotation, one instance at a time: add the new KEK read-only, switch (across the S5
//          boundary, so S6's key is created mid-roll under the new KEK), rewrap, drop the old one
// and then asserts the invariants from what the instances reported (fleetViolations names the instance, kid
// and time of each violation), plus: no integrity failure but the injected ones, no clock skew reported.
const P = FAST_SETTINGS.rotationPeriod;
const S0 = 29_000_000;
const at = (slot: number, seconds: number) => (S0 + slot) * P + seconds * 1000;
const slotKey = (slot: number, generation = 0) =>
  generation === 0 ? `slot:ES256:${S0 + slot}` : `slot:ES256:${S0 + slot}.${generation}`;
const OFFSETS = { a: 0, b: 3000, c: -1000, d: 1000 } as const;
const OLD: KekSpec = { id: 'old', secret: 'fleet-faults-old-kek-0123456789-abcdefgh' };
const NEW: KekSpec = { id: 'new', secret: 'fleet-faults-new-kek-0123456789-ijklmnop' };
// A deploy with a typo in the secret (same KEK id), and a KEK of nobody's that one planted record is sealed under.
const TYPO: KekSpec = { id: 'old', secret: 'fleet-faults-old-kek-0123456789-abcdefgX' };
const FOREIGN: KekSpec = { id: 'k-foreign', secret: 'fleet-faults-foreign-kek-0123456789-qrst' };
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = randomBytes(4).toString('hex');
const table = `org_keys_fleet_${run}`;
const dir = mkdtempSync(join(tmpdir(), 'org-keys-fleet-'));

let childFile: string;
beforeAll(async () => {
  childFile = await bundleChild(new URL('./test-fleet-child.ts', import.meta.url), 'fleet-child');
}, 60_000);
afterAll(async () => {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS "${table}"`);
  await client.end();
  rmSync(dir, { recursive: true, force: true });
});

interface Backend {
  name: string;
  /** The server the proxy fronts, when the store is one. */
  server?: URL;
  store(url: string | undefined, namespace: string): ChildConfig['store'];
  open(config: ChildConfig['store']): KeyStore;
}

const BACKENDS: Backend[] = [
  {
    name: 'redis',
    server: new URL(REDIS_URL),
    store: (url, namespace) => ({ kind: 'redis', url: url!, namespace }),
    open: (c) => redisKeyStore({ url: (c as { url: string }).url, namespace: c.namespace }),
  },
  {
    name: 'postgres',
    server: new URL(DATABASE_URL),
    store: (url, namespace) => ({ kind: 'postgres', url: url!, table, namespace }),
    open: (c) =>
      postgresKeyStore({ connectionString: (c as { url: string }).url, table, namespace: c.namespace }),
  },
  {
    name: 'sqlite',
    store: (_url, namespace) => ({ kind: 'sqlite', filename: join(dir, 'keys.sqlite'), namespace }),
    open: (c) => sqliteKeyStore({ filename: (c as { filename: string }).filename, namespace: c.namespace }),
  },
];

function viaProxy(server: URL, port: number): string {
  const url = new URL(server);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.href;
}

/** A record sealed under `kek` for `slot`, as an instance with that KEK would write it at `now`. */
async function recordUnder(kek: KekSpec, id: string, slot: number, now: number, namespace: string) {
  const settings = resolveKeyRingSettings({ kek, ...FAST_SCHEDULE });
  const pair = await generateSigningKeyPair('ES256', 2048);
  const fields = { ...slotDates(slot, now, settings), id, kid: pair.kid, alg: 'ES256' as const };
  const sealed = sealRecord(
    { ...fields, publicJwk: pair.publicJwk },
    pair.privateKey,
    deriveKek(kek, 'kek'),
    {
      namespace,
    },
  );
  return JSON.stringify(sealed);
}

describe.each(BACKENDS)('four instances on real $name under injected faults', (backend) => {
  it('no key outside the schedule, no sign error, every key published ahead, every valid token verified', async () => {
    const namespace = `fleet_${run}_${backend.name}`;
    let proxy: TestTcpProxy | undefined;
    if (backend.server)
      proxy = await startTcpProxy({ host: backend.server.hostname, port: Number(backend.server.port) });
    const childStore = backend.store(proxy && viaProxy(backend.server!, proxy.port), namespace);
    const direct = backend.open(backend.store(backend.server?.href, namespace));
    const fleet = new ProcessFleet(childFile, () => childStore, direct, at(0, 19));
    const faults: Faults = { withdrawn: new Map(), bootSlots: new Set([S0]), outages: [], exempt: new Set() };
    const findings: string[] = [];
    const t = (ms: number) => when(ms, FAST_SETTINGS);
    let armed = false;
    let wrongKek: Record<string, unknown> | undefined;
    let rewrap: { rewrapped: number; failed: Array<{ id: string }> } | undefined;

    /** The id and kid of the record the fleet signs with now (what most instances signed last). */
    const signing = () => {
      const last = fleet.log.samples.filter((s) => s.at === fleet.at && s.signed && 'kid' in s.signed);
      if (last.length === 0) {
        const so = [...findings, ...fleetViolations(fleet.log, FAST_SETTINGS, faults)].slice(0, 20);
        throw new Error(
          `no instance signed at ${t(fleet.at)} (live: ${fleet
            .live()
            .map((i) => i.name)
            .join(
              ', ',
            )}; events: ${JSON.stringify(fleet.events.map((e) => [e.instance, t(e.at), e.kind, e.detail]))}); so far:\n${so.join('\n')}`,
        );
      }
      const kid = (last[0]!.signed as { kid: string }).kid;
      return { kid, id: [...fleet.log.records.values()].find((r) => r.kid === kid)!.id };
    };
    const roll = (names: string[], keks: KekSpec[], from: number, every: number) =>
      names.map((name, n) => [from + n * every * 1000, () => fleet.redeploy(name, keks)] as const);

    const timeline = new Map<number, () => Promise<unknown>>([
      [
        at(1, 10),
        async () => (
          (armed = true),
          Promise.all(fleet.live().map((i) => fleet.command(i.name, { type: 'arm', dieAfter: 'create' })))
        ),
      ],
      ...(proxy
        ? ([
            [at(2, 15), async () => proxy.set('down')],
            [at(2, 25), async () => proxy.set('up')],
            [at(2, 30), async () => proxy.set('hang')],
            [at(2, 38), async () => proxy.set('up')],
          ] as const)
        : []),
      [
        at(2, 45),
        async () => {
          const id = slotKey(4);
          await direct.createIfAbsent(id, await recordUnder(FOREIGN, id, S0 + 4, at(2, 45), namespace));
          faults.withdrawn.set(id, fleet.at);
        },
      ],
      [at(2, 50), async () => (wrongKek = await fleet.start('w', 0, [TYPO]))],
      [
        at(3, 10),
        async () => {
          const { id, kid } = signing();
          faults.withdrawn.set(id, fleet.at);
          await fleet.command('c', { type: 'arm', dieAfter: 'revoke' });
          if (await fleet.command('c', { type: 'revoke', kid }))
            findings.push('c survived its revocation write');
          await fleet.restartDead();
        },
      ],
      [
        at(3, 30),
        async () => {
          const { id } = signing();
          const record = JSON.parse((await direct.get(id))!) as KeyRecord;
          const mac = Buffer.from(record.mac, 'base64url');
          mac[7]! ^= 0x10;
          await direct.update(id, JSON.stringify({ ...record, mac: mac.toString('base64url') }));
          faults.withdrawn.set(id, fleet.at);
        },
      ],
      ...roll(['a', 'b', 'c', 'd'], [OLD, NEW], at(4, 5), 3),
      ...roll(['b', 'a'], [NEW, OLD], at(4, 52), 3),
      ...roll(['c', 'd'], [NEW, OLD], at(5, 5), 3),
      [at(5, 20), async () => (rewrap = await fleet.request('a', { type: 'rewrap' }))],
      ...roll(['a', 'b', 'c', 'd'], [NEW], at(5, 30), 3),
    ]);
    if (proxy) {
      faults.outages.push({ from: at(2, 15), to: at(2, 25) + 5000, reasons: ['store-unavailable'] });
      faults.outages.push({ from: at(2, 30), to: at(2, 38) + 5000, reasons: ['store-unavailable'] });
    }

    try {
      const boot = await Promise.all(
        Object.entries(OFFSETS).map(([name, offset]) => fleet.start(name, offset, [OLD])),
      );
      expect(boot).toEqual([undefined, undefined, undefined, undefined]);
      while (fleet.at < at(6, 30)) {
        await fleet.tick();
        await timeline.get(fleet.at)?.();
        if (armed && fleet.events.some((e) => e.kind === 'died')) {
          armed = false;
          await Promise.all(fleet.live().map((i) => fleet.command(i.name, { type: 'arm' })));
          await fleet.restartDead();
        }
      }
      // Every fault happened as planned; anything else is a finding, reported together with the violations.
      const check = (ok: boolean, finding: string) => ok || findings.push(finding);
      const survivors = fleet.live().map((i) => i.name);
      check(survivors.sort().join() === 'a,b,c,d', `instances alive at the end: ${survivors.join(', ')}`);
      const deaths = fleet.events.filter((e) => e.kind === 'died').map((e) => `${e.instance} at ${t(e.at)}`);
      // One killed right after its create (whoever created first), then c right after its revocation write.
      check(deaths.length === 2 && deaths[1] === `c at ${t(at(3, 10))}`, `deaths: ${deaths.join(', ')}`);
      check(fleet.log.records.has(slotKey(4, 1)), `the unreadable head ${slotKey(4)} was not superseded`);
      const s6 = fleet.log.records.get(slotKey(6));
      check(
        s6?.kekId === 'new' && /^[ab]$/.test(s6.creator ?? '') && s6.seenAt < at(5, 5),
        `${slotKey(6)} was not created mid-roll under the new KEK: ${JSON.stringify(s6)}`,
      );
      // The rewrap re-sealed every record but the unreadable ones (which only an operator removes).
      const notRewrapped = rewrap?.failed.map((f) => f.id).filter((id) => !faults.withdrawn.has(id));
      check(!!rewrap?.rewrapped && notRewrapped?.length === 0, `rewrap: ${JSON.stringify(rewrap)}`);
      // The instance with a wrong KEK refused to start, named the KEK ids, and wrote nothing.
      const refusal = fleet.events.find((e) => e.kind === 'refused')?.detail;
      check(
        wrongKek !== undefined &&
          refusal?.reason === 'invalid-configuration' &&
          JSON.stringify(refusal.data).startsWith(
            JSON.stringify({ storeKekIds: ['k-foreign', 'old'], configuredKekIds: ['old'] }).slice(0, -1),
          ) &&
          JSON.stringify(refusal.writes) === '[]',
        `w (wrong KEK) at ${t(at(2, 50))}: ${refusal ? JSON.stringify(refusal) : 'started'}`,
      );
      for (const e of fleet.events) {
        if (e.kind === 'skew')
          findings.push(`${e.instance} reported clock skew at ${t(e.at)}: ${JSON.stringify(e.detail)}`);
        const id = String(e.detail.id);
        if (e.kind === 'integrity' && !faults.withdrawn.has(id))
          findings.push(`${e.instance} reported ${id} unreadable (${String(e.detail.reason)}) at ${t(e.at)}`);
      }
      // Every instance signs with the same key at the end, and tokens were checked all along.
      const last = new Set(
        fleet.log.samples.filter((s) => s.at === fleet.at).map((s) => JSON.stringify(s.signed)),
      );
      check(last.size === 1, `the instances ended signing with ${[...last].join(', ')}`);
      check(fleet.log.verifications.length > 4000, `only ${fleet.log.verifications.length} verifications`);
      expect([...findings, ...fleetViolations(fleet.log, FAST_SETTINGS, faults)]).toEqual([]);
    } finally {
      await fleet.stop();
      for (const { id } of await direct.list().catch(() => [])) await direct.delete(id);
      await direct.close();
      await proxy?.close();
    }
  }, 170_000);
});
