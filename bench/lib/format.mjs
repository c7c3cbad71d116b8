// Number formatting and the console tables, shared by run.mjs and report.mjs.
import os from 'node:os';

// A skipped row's figures are NaN in memory and null once read back from the results JSON.
export const ops = (n) =>
  typeof n !== 'number' || !Number.isFinite(n)
    ? '–'
    : n >= 100
      ? Math.round(n).toLocaleString('en-US')
      : n.toPrecision(3);
export const ratio = (r) => (typeof r !== 'number' || !Number.isFinite(r) ? '' : `${r.toFixed(2)}×`);
export const spread = (row) => `${ops(row.min)}..${ops(row.max)}`;
export const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

/** Groups rows by scenario, keeping first-seen order. */
export function byScenario(rows) {
  const groups = new Map();
  for (const row of rows) {
    if (!groups.has(row.scenario)) groups.set(row.scenario, []);
    groups.get(row.scenario).push(row);
  }
  return groups;
}

/** A plain aligned text table; numeric-looking columns align right. */
export function textTable(header, lines) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => String(line[i]).length)));
  const numeric = header.map((_, i) => lines.every((line) => /^[\d.,×%\s-]*$/.test(String(line[i]))));
  const cell = (value, i) =>
    numeric[i] ? String(value).padStart(widths[i]) : String(value).padEnd(widths[i]);
  return [
    header.map(cell).join('  '),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...lines.map((l) => l.map(cell).join('  ')),
  ].join('\n');
}

/** The console rendering of one suite's rows. */
export function suiteText(rows) {
  const out = [];
  for (const [scenario, group] of byScenario(rows)) {
    out.push(`\n${scenario}`);
    if (group[0].suite === 'http') {
      out.push(
        textTable(
          ['contender', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'note'],
          group.map((r) => [
            r.name,
            ops(r.reqPerSec),
            fixed(r.p50Ms),
            fixed(r.p99Ms),
            fixed(r.cpuUsPerReq),
            r.note ?? '',
          ]),
        ),
      );
    } else {
      out.push(
        textTable(
          ['contender', 'ops/s', 'min..max', 'ratio', 'note'],
          group.map((r) => [r.name, ops(r.opsPerSec), spread(r), ratio(r.ratio), r.note ?? '']),
        ),
      );
    }
  }
  return out.join('\n');
}

const fixed = (n) => (typeof n === 'number' ? n.toFixed(n < 10 ? 2 : 0) : '');

/** The machine line recorded with every result. */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cpuCount: cpus.length,
    totalMemory: os.totalmem(),
    os: `${os.type()} ${os.release()} ${process.arch}`,
    node: process.version,
    date: new Date().toISOString(),
  };
}

export function machineLine(machine) {
  return `${machine.cpuCount} × ${machine.cpuModel}, ${(machine.totalMemory / 2 ** 30).toFixed(1)} GiB RAM, ${machine.os}, Node ${machine.node}, ${machine.date}`;
}
