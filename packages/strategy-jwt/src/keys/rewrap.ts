import { deriveKeks, type Kek, type KekSpec } from './key-encryption-key.ts';
import { storeNamespace, type KeyStore, type KeyStoreEntry } from './stores/key-store.ts';
import { openRecord, sealRecord, type IntegrityReason } from './record-seal.ts';

/** What a re-wrap did. */
export interface RewrapResult {
  /** Records re-encrypted and re-MACed under the target KEK (and bound to the namespace, if they were not). */
  rewrapped: number;
  /** Records already under the target KEK and bound to the namespace. */
  unchanged: number;
  /** Records left alone because they failed their integrity checks (or changed during the re-wrap). */
  failed: Array<{ id: string; reason: IntegrityReason | 'changed' }>;
}

/**
 * Re-encrypts and re-MACs every readable record of `entries` under `target`.
 * @internal
 */
export async function rewrapEntries(
  store: KeyStore,
  entries: readonly KeyStoreEntry[],
  keks: ReadonlyMap<string, Kek>,
  target: Kek,
  binding: { namespace: string; legacy: 'accept' | 'refuse' },
): Promise<RewrapResult> {
  const all = new Map(keks).set(target.id, target);
  const result: RewrapResult = { rewrapped: 0, unchanged: 0, failed: [] };
  for (const { id, value } of entries) {
    const opened = openRecord(value, all, binding);
    if (!opened.ok || opened.opened.record.id !== id) {
      result.failed.push({ id, reason: opened.ok ? 'bad-mac' : opened.reason });
      continue;
    }
    const { record, privateKey } = opened.opened;
    if (record.kekId === target.id && record.v === 2) {
      result.unchanged++;
      continue;
    }
    const { v: _v, kekId: _kekId, privateKey: _privateKey, mac: _mac, ...fields } = record;
    const sealed = sealRecord(fields, privateKey, target, { namespace: binding.namespace });
    // Compare-and-set: a record another instance changed meanwhile is reported, never overwritten.
    if (await store.update(id, JSON.stringify(sealed), value)) result.rewrapped++;
    else result.failed.push({ id, reason: 'changed' });
  }
  return result;
}

/**
 * Re-wraps every record of a store from old KEK(s) to a new one, without a running ring (for the CLI
 * and for scripts). Instances must already be configured with both KEKs (`kek: [newKek, oldKek]`) while
 * it runs; afterwards the old KEK can be dropped. Records of format version 1 are re-sealed bound to the
 * store's namespace, even when already under `to` (see `KeyRingOptions.legacyRecords`).
 * @param store - The store.
 * @param kek - `from`: the KEK(s) the records are under now; `to`: the KEK to re-wrap them under.
 * @returns Counts, and the records left alone with the reason.
 * @throws BadRequest (`invalid-configuration`) for a malformed KEK; Unavailable (`store-unavailable`).
 * @example
 * ```ts
 * await rewrapKeyStore(store, { from: { secret: oldSecret }, to: { secret: newSecret } });
 * ```
 */
export async function rewrapKeyStore(
  store: KeyStore,
  kek: { from: KekSpec | readonly KekSpec[]; to: KekSpec },
): Promise<RewrapResult> {
  const from = deriveKeks(kek.from, 'rewrap.from');
  const [to] = deriveKeks(kek.to, 'rewrap.to');
  return rewrapEntries(store, await store.list(), new Map(from.map((k) => [k.id, k])), to!, {
    namespace: storeNamespace(store),
    legacy: 'accept',
  });
}
