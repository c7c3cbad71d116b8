import type { InspectedKey, UnreadableRecord } from './inspect-store.ts';

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A key as `--json` prints it: no key material, dates as ISO strings. @internal */
export function keyJson({ id, record, state }: InspectedKey): Record<string, unknown> {
  return {
    kid: record.kid,
    alg: record.alg,
    state,
    id,
    publishAt: iso(record.publishAt),
    activateAt: iso(record.activateAt),
    deactivateAt: iso(record.deactivateAt),
    retireAt: iso(record.retireAt),
    ...(record.revokedAt !== undefined && { revokedAt: iso(record.revokedAt) }),
    kekId: record.kekId,
    hasPrivateKey: record.privateKey !== undefined,
  };
}

/** A fixed-width table of keys for humans. @internal */
export function keyTable(keys: readonly InspectedKey[]): string {
  if (keys.length === 0) return 'No keys in the store.';
  const rows = [
    ['KID', 'ALG', 'STATE', 'PUBLISHED', 'SIGNS FROM', 'SIGNS UNTIL', 'RETIRES'],
    ...keys.map(({ record: r, state }) => [
      r.kid,
      r.alg,
      state,
      iso(r.publishAt),
      iso(r.activateAt),
      iso(r.deactivateAt),
      iso(r.retireAt),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** An unreadable record as `--json` prints it: id, reason, the KEK id it names; never its content. @internal */
export function unreadableJson({ id, reason, kekId }: UnreadableRecord): Record<string, unknown> {
  return { id, reason, kekId: kekId ?? null };
}

/** The records no given KEK opens, for humans; empty when there are none. @internal */
export function unreadableTable(records: readonly UnreadableRecord[]): string {
  if (records.length === 0) return '';
  const rows = [
    ['ID', 'REASON', 'KEK ID'],
    ...records.map(({ id, reason, kekId }) => [id, reason, kekId ?? '-']),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const table = rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  return (
    `Unreadable records (ignored; no KEK given opens them; remove them with org-keys remove-unreadable):\n` +
    table.join('\n')
  );
}
