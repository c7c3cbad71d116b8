import { BadRequest } from '@org/core';
import type { IntegrityReason } from './record-seal.ts';
import type { KeyStoreEntry } from './stores/key-store.ts';

/** Failures a KEK other than the one that sealed the record causes (GCM or MAC check, unknown id). */
const KEK_FAILURES: ReadonlySet<IntegrityReason> = new Set(['unknown-kek', 'bad-mac', 'bad-private-key']);

/**
 * The KEK ids the store's records name (sorted, each once); unparsable records name none.
 * @internal
 */
export function storeKekIds(entries: readonly KeyStoreEntry[]): string[] {
  const ids = new Set<string>();
  for (const { value } of entries) {
    try {
      const kekId = (JSON.parse(value) as { kekId?: unknown } | null)?.kekId;
      if (typeof kekId === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(kekId)) ids.add(kekId);
    } catch {
      // a malformed record names no KEK
    }
  }
  return [...ids].sort();
}

/**
 * The error of a ring (or `org-keys`) whose configured KEKs open none of the records of a non-empty store,
 * or `undefined` when one opens, the store is empty, or every failure is a malformed record. It names the KEK
 * ids the records were sealed under and the configured ones, never a secret.
 * @param entries - Every entry of the store.
 * @param failures - The entries that did not open, with the reason.
 * @param opened - How many entries opened.
 * @param configured - The configured KEK ids, writer first.
 * @internal
 */
export function kekMismatchError(
  entries: readonly KeyStoreEntry[],
  failures: ReadonlyArray<{ reason: IntegrityReason }>,
  opened: number,
  configured: readonly string[],
): BadRequest | undefined {
  if (opened > 0 || entries.length === 0 || !failures.some((f) => KEK_FAILURES.has(f.reason)))
    return undefined;
  const found = storeKekIds(entries);
  const known = found.length > 0 && found.every((id) => configured.includes(id));
  const why = known
    ? `their KEK id(s) ${found.join(', ')} are configured but the check fails: the secret differs from the ` +
      `one that sealed them, the records were altered, or they belong to another namespace`
    : `they were sealed under KEK id(s) ${found.join(', ') || '(none readable)'}`;
  return new BadRequest(
    `KEK mismatch: none of the ${entries.length} records in the key store opens with the configured KEK id(s) ` +
      `${configured.join(', ')}; ${why}. Configure the deployment's KEK (to change it, add the new one ` +
      `read-only first: see "Rotating the KEK" in the key rotation guide)`,
    {
      reason: 'invalid-configuration',
      data: { storeKekIds: found, configuredKekIds: [...configured], records: entries.length },
    },
  );
}
