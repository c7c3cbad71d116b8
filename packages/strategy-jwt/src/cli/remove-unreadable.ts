import type { KeyStore } from '../keys/stores/key-store.ts';
import { CliError } from './cli-error.ts';
import { unreadableJson } from './format.ts';
import type { StoreInspection, UnreadableRecord } from './inspect-store.ts';

/** What `remove-unreadable` is told. @internal */
export interface RemoveUnreadableRequest {
  store: KeyStore;
  /** Record ids to remove; every unreadable record when empty. */
  ids: readonly string[];
  dryRun: boolean;
  json: boolean;
  out: (text: string) => void;
  warn: (text: string) => void;
}

function describe(record: UnreadableRecord): string {
  const kek = record.kekId === undefined ? '' : `, sealed under KEK id ${record.kekId}`;
  // A KEK the command was not given looks exactly like a foreign one: say so, the operator decides.
  const hint =
    record.reason === 'unknown-kek'
      ? " (if that KEK is one of the deployment's, pass it with --old-kek-env instead)"
      : '';
  return `${record.id}: ${record.reason}${kek}${hint}`;
}

/**
 * Deletes the records that none of the given KEKs opens (or the listed ones, each of which must be such a
 * record), printing each one it deletes. A record whose value changed since it was read (rewrapped, fixed)
 * is left in place. Never runs when the KEK opens nothing at all: that is a wrong KEK, not bad records.
 * @returns The exit code: 0, or 1 when a record was left in place.
 * @throws CliError for an id that is not in the store or that opens.
 * @internal
 */
export async function removeUnreadable(
  request: RemoveUnreadableRequest,
  inspection: StoreInspection,
): Promise<number> {
  const { store, ids, dryRun } = request;
  const byId = new Map(inspection.failures.map((f) => [f.id, f]));
  for (const id of ids) {
    if (byId.has(id)) continue;
    if (inspection.keys.some((k) => k.id === id)) {
      throw new CliError(
        `Record ${id} opens with the given KEK: remove-unreadable only removes records no KEK opens (org-keys revoke revokes a key)`,
      );
    }
    throw new CliError(`No record ${id} in the store`);
  }
  const targets = ids.length > 0 ? ids.map((id) => byId.get(id)!) : inspection.failures;
  const removed: UnreadableRecord[] = [];
  const skipped: UnreadableRecord[] = [];
  for (const record of targets) {
    if ((await store.get(record.id)) !== record.value) {
      request.warn(
        `warning: record ${record.id} changed since it was read; left in place (run the command again)`,
      );
      skipped.push(record);
      continue;
    }
    if (!dryRun) await store.delete(record.id);
    removed.push(record);
    if (!request.json) request.out(`${dryRun ? 'Would remove' : 'Removed'} ${describe(record)}`);
  }
  if (request.json) {
    request.out(
      JSON.stringify(
        { dryRun, removed: removed.map(unreadableJson), skipped: skipped.map(unreadableJson) },
        null,
        2,
      ),
    );
  } else if (removed.length === 0 && skipped.length === 0) request.out('No unreadable records.');
  else {
    request.out(
      `${dryRun ? 'Would remove' : 'Removed'} ${removed.length} unreadable record(s)` +
        (skipped.length > 0 ? `; ${skipped.length} left in place.` : '.'),
    );
  }
  return skipped.length === 0 ? 0 : 1;
}
