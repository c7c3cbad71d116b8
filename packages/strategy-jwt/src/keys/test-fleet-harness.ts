// Test support (excluded from the build): a fleet of key-ring instances, each in its own process
// (test-fleet-child.ts), driven in lockstep on a reference clock the parent advances one second per tick,
// so what the instances do depends on the reference time and on the store, never on the machine's speed.
import { fork, type ChildProcess } from 'node:child_process';
import type { KekSpec } from './key-encryption-key.ts';
import type { ClockSkew, IntegrityFailure } from './key-ring-events.ts';
import type { KeyStore } from './stores/key-store.ts';
import type { ChildConfig, ChildWrite, FleetToken } from './test-fleet-child.ts';
import { fleetLog, recordEntries, type FleetLog } from './test-fleet-invariants.ts';

interface Rpc {
  process: ChildProcess;
  call<T>(message: Record<string, unknown>): Promise<T>;
  exited: Promise<NodeJS.Signals | number | null>;
  /** True once the process exited (a kill -9 included). */
  dead(): boolean;
}

function spawnChild(file: string): Promise<Rpc> {
  const child = fork(file, [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--no-warnings'],
  });
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let next = 0;
  let dead = false;
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      dead = true;
      for (const p of pending.values()) p.reject(new Error(`exited (${signal ?? code})`));
      pending.clear();
      resolve(signal ?? code);
    }),
  );
  return new Promise((resolve, reject) => {
    void exited.then((how) => reject(new Error(`child exited (${how}) before it was ready`)));
    child.on('message', (message: any) => {
      if (message.type === 'ready') {
        resolve({
          process: child,
          exited,
          dead: () => dead,
          call: (m) =>
            new Promise((done, fail) => {
              const id = ++next;
              pending.set(id, { resolve: done, reject: fail });
              child.send({ ...m, id });
            }),
        });
        return;
      }
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiting?.reject(new Error(message.error));
      else waiting?.resolve(message.reply);
    });
  });
}

interface Instance {
  name: string;
  offset: number;
  keks: KekSpec[];
  rpc: Rpc;
  alive: boolean;
}

interface TickReport {
  jwks: string[];
  signed: { token: string; kid: string; exp: number } | { error: string; reason?: string };
  verifications: Array<{ kid: string; ok: boolean; code?: string }>;
  writes: ChildWrite[];
  integrity: IntegrityFailure[];
  skews: ClockSkew[];
}

/** Something an instance reported that the test asserts on: an integrity failure or clock skew. */
export interface FleetEvent {
  instance: string;
  at: number;
  kind: 'integrity' | 'skew' | 'died' | 'refused';
  detail: Record<string, unknown>;
}

/** A fleet of instance processes sharing one store. */
export class ProcessFleet {
  readonly log: FleetLog = fleetLog();
  readonly events: FleetEvent[] = [];
  readonly instances = new Map<string, Instance>();
  readonly creators = new Map<string, string>();
  at: number;
  #tokens: FleetToken[] = [];
  #seed = 7;
  readonly #file: string;
  readonly #storeOf: () => ChildConfig['store'];
  readonly #direct: KeyStore;

  /**
   * @param file - The bundled child.
   * @param storeOf - The store every instance opens (through the outage proxy where there is one).
   * @param direct - The parent's own handle on the same store (never through the proxy).
   * @param at - The reference time to start at.
   */
  constructor(file: string, storeOf: () => ChildConfig['store'], direct: KeyStore, at: number) {
    this.#file = file;
    this.#storeOf = storeOf;
    this.#direct = direct;
    this.at = at;
  }

  /** Starts an instance; resolves the error its ring's `start()` refused with, if it did (then it is stopped). */
  async start(name: string, offset: number, keks: KekSpec[]): Promise<Record<string, unknown> | undefined> {
    // An orchestrator restarts an instance whose store was not reachable in time; so does the harness.
    for (let attempt = 1; ; attempt++) {
      const refused = await this.#start(name, offset, keks);
      if (refused?.reason !== 'store-unavailable' || attempt === 3) return refused;
      this.events.pop();
    }
  }

  async #start(name: string, offset: number, keks: KekSpec[]): Promise<Record<string, unknown> | undefined> {
    const rpc = await spawnChild(this.#file);
    const config: ChildConfig = {
      name,
      offset,
      keks,
      store: this.#storeOf(),
      at: this.at,
      seed: this.#seed++,
    };
    const { refused, writes } = await rpc.call<{ refused?: Record<string, unknown>; writes: ChildWrite[] }>({
      type: 'start',
      config,
    });
    this.#writes(name, writes);
    if (refused) {
      this.events.push({ instance: name, at: this.at, kind: 'refused', detail: { ...refused, writes } });
      await rpc.call({ type: 'stop' }).catch(() => undefined);
      rpc.process.kill();
      return refused;
    }
    this.instances.set(name, { name, offset, keks, rpc, alive: true });
    return undefined;
  }

  /** Restarts every instance that died (kill -9), with its configuration. */
  async restartDead(): Promise<string[]> {
    const dead = [...this.instances.values()].filter((i) => !i.alive);
    for (const i of dead) await this.start(i.name, i.offset, i.keks);
    return dead.map((i) => i.name);
  }

  live(): Instance[] {
    return [...this.instances.values()].filter((i) => i.alive);
  }

  /** Sends a command to an instance; resolves false when the instance died handling it. */
  async command(name: string, message: Record<string, unknown>): Promise<boolean> {
    const instance = this.instances.get(name);
    if (!instance) throw new Error(`no instance ${name}`);
    try {
      await instance.rpc.call(message);
      return true;
    } catch (error) {
      if (!instance.rpc.dead()) throw error;
      this.#died(instance);
      return false;
    }
  }

  /** Sends a command to a live instance and resolves its reply. */
  request<T>(name: string, message: Record<string, unknown>): Promise<T> {
    const instance = this.instances.get(name);
    if (!instance?.alive) throw new Error(`no live instance ${name}`);
    return instance.rpc.call<T>(message);
  }

  /** A redeploy of one instance with other KEKs (the ring is stopped and opened again). */
  async redeploy(name: string, keks: KekSpec[]): Promise<void> {
    const instance = this.instances.get(name)!;
    const { refused } = await instance.rpc.call<{ refused?: unknown }>({ type: 'redeploy', keks });
    if (refused) throw new Error(`${name} refused its redeploy at ${this.at}: ${JSON.stringify(refused)}`);
    instance.keks = keks;
  }

  #died(instance: Instance): void {
    if (!instance.alive) return;
    instance.alive = false;
    this.events.push({ instance: instance.name, at: this.at, kind: 'died', detail: {} });
  }

  #writes(name: string, writes: ChildWrite[]): void {
    for (const w of writes) if (w.op === 'create' && !this.creators.has(w.id)) this.creators.set(w.id, name);
  }

  /** Advances the reference clock one second and runs one round on every live instance. */
  async tick(): Promise<void> {
    this.at += 1000;
    const tokens = this.#tokens.filter((t) => t.exp + 5000 > this.at);
    const live = this.live();
    const replies = await Promise.allSettled(
      live.map((i) => i.rpc.call<TickReport>({ type: 'tick', at: this.at, tokens })),
    );
    this.#tokens = [];
    for (const [n, settled] of replies.entries()) {
      const instance = live[n]!;
      if (settled.status === 'rejected') {
        this.#died(instance);
        continue;
      }
      this.#record(instance, settled.value, tokens);
    }
    recordEntries(this.log, await this.#direct.list(), this.at, this.creators);
  }

  #record(instance: Instance, report: TickReport, tokens: FleetToken[]): void {
    const { name } = instance;
    const signed = 'kid' in report.signed ? { kid: report.signed.kid } : report.signed;
    this.log.samples.push({ instance: name, at: this.at, jwks: report.jwks, signed });
    if ('token' in report.signed) {
      const { token, kid, exp } = report.signed;
      this.#tokens.push({ token, kid, exp, signedBy: name, signedAt: this.at });
    }
    report.verifications.forEach((v, n) => {
      const t = tokens[n]!;
      this.log.verifications.push({
        instance: name,
        at: this.at,
        kid: v.kid,
        signedBy: t.signedBy,
        signedAt: t.signedAt,
        exp: t.exp,
        offset: instance.offset,
        ok: v.ok,
        ...(v.code !== undefined && { code: v.code }),
      });
    });
    this.#writes(name, report.writes);
    for (const f of report.integrity)
      this.events.push({ instance: name, at: this.at, kind: 'integrity', detail: { ...f } });
    for (const s of report.skews)
      this.events.push({ instance: name, at: this.at, kind: 'skew', detail: { ...s } });
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.live().map(async (i) => {
        await i.rpc.call({ type: 'stop' }).catch(() => undefined);
        i.rpc.process.kill();
      }),
    );
    for (const i of this.instances.values()) if (!i.alive) i.rpc.process.kill();
  }
}
