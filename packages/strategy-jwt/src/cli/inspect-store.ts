import { createPublicKey } from 'node:crypto';
import type { JWK } from 'jose';
import type { ResolvedVerificationKey, VerificationKeySource } from '../key-material/key-source.ts';
import type { Kek } from '../keys/key-encryption-key.ts';
import { isPublished, keyState, type KeyRecord, type KeyState } from '../keys/key-record.ts';
import { storeNamespace, type KeyStore } from '../keys/stores/key-store.ts';
import { openRecord, type IntegrityReason } from '../keys/record-seal.ts';
import { toPublicJwk } from '../jwks/public-jwk.ts';
import { CliError } from './cli-error.ts';

/** One authenticated record and its state now. @internal */
export interface InspectedKey {
  id: string;
  record: KeyRecord;
  state: KeyState;
}

/** What a read-only pass over the store found. @internal */
export interface StoreInspection {
  keys: InspectedKey[];
  failures: Array<{ id: string; reason: IntegrityReason }>;
}

const KEK_FAILURES: ReadonlySet<IntegrityReason> = new Set(['unknown-kek', 'bad-mac', 'bad-private-key']);

/**
 * Reads and authenticates every record without writing anything (unlike the ring's refresh, which
 * maintains the schedule). Records that fail their MAC are reported, never used.
 * @throws CliError "Wrong KEK" when the store holds records and none opens with the given KEKs.
 * @internal
 */
export async function inspectStore(
  store: KeyStore,
  keks: readonly Kek[],
  now: number,
): Promise<StoreInspection> {
  const byId = new Map(keks.map((k) => [k.id, k]));
  const result: StoreInspection = { keys: [], failures: [] };
  for (const { id, value } of await store.list()) {
    const opened = openRecord(value, byId, { namespace: storeNamespace(store), legacy: 'accept' });
    if (opened.ok && opened.opened.record.id === id) {
      const record = opened.opened.record;
      result.keys.push({ id, record, state: keyState(record, now) });
    } else {
      result.failures.push({ id, reason: opened.ok ? 'bad-mac' : opened.reason });
    }
  }
  result.keys.sort(
    (a, b) => a.record.activateAt - b.record.activateAt || a.record.kid.localeCompare(b.record.kid),
  );
  assertKekOpens(result, keks);
  return result;
}

function assertKekOpens(inspection: StoreInspection, keks: readonly Kek[]): void {
  const { keys, failures } = inspection;
  if (keys.length > 0 || failures.length === 0 || !failures.every((f) => KEK_FAILURES.has(f.reason))) return;
  throw new CliError(
    `Wrong KEK: none of the ${failures.length} stored records opens with it (MAC/GCM check failed; ` +
      `this secret has KEK id ${keks.map((k) => k.id).join(', ')})`,
  );
}

/** The published JWK Set of an inspection: public members plus kid, alg and use. @internal */
export function publishedJwks(inspection: StoreInspection): { keys: JWK[] } {
  const keys: JWK[] = [];
  for (const { record, state } of inspection.keys) {
    if (!isPublished(state)) continue;
    const jwk = toPublicJwk({ ...record.publicJwk, kid: record.kid, alg: record.alg, use: 'sig' });
    if (jwk) keys.push(jwk);
  }
  return { keys };
}

/** A verification key source over the published keys, by kid only (as the ring resolves). @internal */
export function publishedKeySource(inspection: StoreInspection): VerificationKeySource {
  const byKid = new Map<string, ResolvedVerificationKey>();
  for (const { record, state } of inspection.keys) {
    if (!isPublished(state)) continue;
    byKid.set(record.kid, {
      alg: record.alg,
      key: createPublicKey({ key: { ...record.publicJwk }, format: 'jwk' }),
    });
  }
  return {
    resolve(header) {
      const found = header.kid === undefined ? undefined : byKid.get(header.kid);
      return found && found.alg === header.alg ? found : undefined;
    },
  };
}
