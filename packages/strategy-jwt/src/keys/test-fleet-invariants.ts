// Test support (excluded from the build): the key ring's fleet invariants (ARCHITECTURE invariants 2 and 3),
// checked from what instances report, by the in-process skew tests and the multi-process fault test alike.
// Every time is the fleet's reference clock (epoch ms); an instance's own clock is that plus its offset.
import { parseSlotId } from './key-schedule.ts';

/** The schedule settings the fleet runs with, in milliseconds. */
export interface FleetSettings {
  rotationPeriod: number;
  prePublication: number;
  cacheLifetime: number;
  clockTolerance: number;
  refreshInterval: number;
}

/** The dates of a record, as the store held it when it was first seen. */
export interface SeenRecord {
  id: string;
  kid: string;
  createdAt: number;
  publishAt: number;
  activateAt: number;
  /** The KEK id it was sealed under when first seen. */
  kekId: string;
  /** Reference time the record was first seen in the store. */
  seenAt: number;
  /** The instance whose create-if-absent wrote it, when it reported it. */
  creator?: string;
}

/** What one instance reported at one reference time. */
export interface Sample {
  instance: string;
  at: number;
  /** The kids of its JWKS. */
  jwks: readonly string[];
  /** The kid it signed with, or the error of its attempt. */
  signed?: { kid: string } | { error: string; reason?: string };
}

/** One verification of a token on one instance. */
export interface Verification {
  instance: string;
  at: number;
  kid: string;
  signedBy: string;
  signedAt: number;
  /** The token's `exp`, epoch ms. */
  exp: number;
  /** The verifier's clock offset, ms. */
  offset: number;
  ok: boolean;
  code?: string;
}

/** What the test did to the fleet, which makes some reports expected. */
export interface Faults {
  /** Ids of records the test revoked, tampered with or planted unreadable, with the reference time. */
  withdrawn: Map<string, number>;
  /** Slots whose first key may sign at once (the fleet's first boot). */
  bootSlots: Set<number>;
  /** Windows in which a sign error with one of these reasons is expected (a store outage). */
  outages: Array<{ from: number; to: number; reasons: readonly string[] }>;
  /** Instances (names) outside the invariants: their clock is beyond the tolerance, or they are misconfigured. */
  exempt: Set<string>;
}

/** The fleet's history: records, samples and verifications, in reference time. */
export interface FleetLog {
  records: Map<string, SeenRecord>;
  samples: Sample[];
  verifications: Verification[];
}

/** An empty log. */
export function fleetLog(): FleetLog {
  return { records: new Map(), samples: [], verifications: [] };
}

/** Records each store entry's dates the first time it is seen. */
export function recordEntries(
  log: FleetLog,
  entries: ReadonlyArray<{ id: string; value: string }>,
  at: number,
  creators: ReadonlyMap<string, string> = new Map(),
): void {
  for (const { id, value } of entries) {
    if (log.records.has(id)) continue;
    let parsed: Partial<SeenRecord> = {};
    try {
      parsed = JSON.parse(value) as Partial<SeenRecord>;
    } catch {
      // a malformed entry keeps its id only
    }
    const creator = creators.get(id);
    log.records.set(id, {
      id,
      kid: String(parsed.kid),
      createdAt: Number(parsed.createdAt),
      publishAt: Number(parsed.publishAt),
      activateAt: Number(parsed.activateAt),
      kekId: String(parsed.kekId),
      seenAt: at,
      ...(creator !== undefined && { creator }),
    });
  }
}

/** `slot+12s` style time, readable in a violation. */
export function when(at: number, settings: Pick<FleetSettings, 'rotationPeriod'>): string {
  const slot = Math.floor(at / settings.rotationPeriod);
  return `slot ${slot}+${((at - slot * settings.rotationPeriod) / 1000).toFixed(1)}s`;
}

/** A key that signs at once (first boot, replacement): published less than `prePublication` before it signs. */
function immediate(record: SeenRecord, settings: FleetSettings): boolean {
  return record.activateAt - record.publishAt < settings.prePublication;
}

/**
 * Checks the invariants; returns one line per violation naming the instance, kid and time:
 * - no key outside the schedule: a generation > 0 only after its predecessor was withdrawn (revoked,
 *   tampered, unreadable), and a key signing at once only in a boot slot or as such a replacement;
 * - no sign error, except the expected reasons inside an outage window;
 * - every pre-published key in the JWKS of every live instance at least `cacheLifetime` before its first token;
 * - every token verifies on every instance while it is valid, unless its key was withdrawn, or its key signs
 *   at once and the verifier has not had a refresh interval to read it.
 */
export function fleetViolations(log: FleetLog, settings: FleetSettings, faults: Faults): string[] {
  const out: string[] = [];
  const t = (at: number) => when(at, settings);
  const byKid = new Map([...log.records.values()].map((r) => [r.kid, r]));
  const withdrawnKids = new Set(
    [...faults.withdrawn.keys()].map((id) => log.records.get(id)?.kid).filter((k) => k !== undefined),
  );

  for (const record of log.records.values()) {
    const slot = parseSlotId(record.id);
    if (!slot) continue;
    const by = record.creator ?? 'an instance that died before reporting it';
    const justified =
      slot.generation === 0
        ? !immediate(record, settings) || faults.bootSlots.has(slot.slot)
        : faults.withdrawn.has(
            slot.generation === 1
              ? `slot:${slot.alg}:${slot.slot}`
              : `slot:${slot.alg}:${slot.slot}.${slot.generation - 1}`,
          );
    if (!justified) {
      out.push(
        `unscheduled key ${record.kid} (${record.id}, ${immediate(record, settings) ? 'signing at once' : 'pre-published'}) created by ${by}, first seen at ${t(record.seenAt)}`,
      );
    }
  }

  const firstToken = new Map<string, { at: number; instance: string }>();
  for (const s of log.samples) {
    if (faults.exempt.has(s.instance) || !s.signed) continue;
    if ('kid' in s.signed) {
      if (!firstToken.has(s.signed.kid)) firstToken.set(s.signed.kid, { at: s.at, instance: s.instance });
      continue;
    }
    const { error, reason } = s.signed;
    const expected = faults.outages.some(
      (o) => s.at >= o.from && s.at <= o.to && reason !== undefined && o.reasons.includes(reason),
    );
    if (!expected) out.push(`sign error on ${s.instance} at ${t(s.at)}: ${error} (${reason ?? 'no reason'})`);
  }

  for (const [kid, first] of firstToken) {
    const record = byKid.get(kid);
    if (!record || immediate(record, settings)) continue;
    const from = first.at - settings.cacheLifetime;
    for (const s of log.samples) {
      if (s.at < from || s.at > first.at || faults.exempt.has(s.instance) || s.jwks.includes(kid)) continue;
      out.push(
        `${s.instance} did not publish ${kid} (${record.id}) at ${t(s.at)}, ${(first.at - s.at) / 1000}s before ` +
          `its first token (${first.instance} at ${t(first.at)}); cacheLifetime is ${settings.cacheLifetime / 1000}s`,
      );
    }
  }

  for (const v of log.verifications) {
    if (v.ok || faults.exempt.has(v.instance) || faults.exempt.has(v.signedBy)) continue;
    if (v.at + v.offset > v.exp + settings.clockTolerance) continue; // expired: not a valid token
    if (withdrawnKids.has(v.kid)) continue; // fail closed on a revoked or compromised key
    const record = byKid.get(v.kid);
    if (record && immediate(record, settings) && v.at - record.seenAt <= settings.refreshInterval + 1000)
      continue;
    out.push(
      `${v.instance} refused a valid token at ${t(v.at)}: kid ${v.kid}${record ? ` (${record.id})` : ''} signed by ` +
        `${v.signedBy} at ${t(v.signedAt)}: ${v.code ?? 'refused'}`,
    );
  }
  return out;
}
