import { createPublicKey } from 'node:crypto';
import type { JWK } from 'jose';
import type { ResolvedVerificationKey, VerificationKeySource } from '../key-material/key-source.ts';
import type { Kek } from '../keys/key-encryption-key.ts';
import { isPublished, keyState, type KeyRecord, type KeyState } from '../keys/key-record.ts';
import { storeNamespace, type KeyStore } from '../keys/stores/key-store.ts';
import { openRecord, type IntegrityReason } from '../keys/record-seal.ts';
import { toPublicJwk } from '../jwks/public-jwk.ts';
import { kekMismatchError, storeKekIds } from '../keys/kek-mismatch.ts';
import { CliError } from './cli-error.ts';

/** One authenticated record and its state now. @internal */
export interface InspectedKey {
  id: string;
  record: KeyRecord;
  state: KeyState;
}

/** A record no given KEK opens: its id, why, the KEK id it names (if readable) and its raw value. @internal */
export interface UnreadableRecord {
  id: string;
  reason: IntegrityReason;
  kekId?: string;
  value: string;
}

/** What a read-only pass over the store found. @internal */
export interface StoreInspection {
  keys: InspectedKey[];
  failures: UnreadableRecord[];
}

/**
 * Reads and authenticates every record without writing anything (unlike the ring's refresh, which
 * maintains the schedule). Records that fail their MAC are reported, never used.
 * @throws CliError "KEK mismatch" (the ring's message) when the store holds records and none opens with the
 * given KEKs: a wrong KEK sees every record as unreadable, so nothing is listed as such, or removed.
 * @internal
 */
export async function inspectStore(
  store: KeyStore,
  keks: readonly Kek[],
  now: number,
): Promise<StoreInspection> {
  const byId = new Map(keks.map((k) => [k.id, k]));
  const result: StoreInspection = { keys: [], failures: [] };
  const entries = await store.list();
  for (const { id, value } of entries) {
    const opened = openRecord(value, byId, { namespace: storeNamespace(store), legacy: 'accept' });
    if (opened.ok && opened.opened.record.id === id) {
      const record = opened.opened.record;
      result.keys.push({ id, record, state: keyState(record, now) });
    } else {
      const kekId = storeKekIds([{ id, value }])[0];
      result.failures.push({
        id,
        reason: opened.ok ? 'bad-mac' : opened.reason,
        value,
        ...(kekId && { kekId }),
      });
    }
  }
  result.keys.sort(
    (a, b) => a.record.activateAt - b.record.activateAt || a.record.kid.localeCompare(b.record.kid),
  );
  const mismatch = kekMismatchError(
    entries,
    result.failures,
    result.keys.length,
    keks.map((k) => k.id),
  );
  if (mismatch) {
    throw new CliError(
      `${mismatch.message}; give this command the deployment's KEK (--kek-env, --old-kek-env)`,
    );
  }
  return result;
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
