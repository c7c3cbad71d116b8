#!/usr/bin/env node
// HTTP benchmarks (issue 11): each server in its own process on 127.0.0.1, autocannon in this one.
// See bench/http/README.md. Imports the built packages: run `npx turbo run build` first.
//
//   node bench/http/index.mjs            every scenario, 8 s each after a 2 s warm-up (~5 min)
//   node bench/http/index.mjs --quick    scenarios 1-4, 2 s each
//   node bench/http/index.mjs --full     every scenario and row, 20 s each
//   node bench/http/index.mjs --only 2,7 those scenarios
import { pathToFileURL } from 'node:url';
import { measure } from './load.mjs';
import { SCENARIOS } from './scenarios.mjs';
import { forkServer, startDemo } from './targets.mjs';
import { claims, signToken, tamper } from './token.mjs';

const TIMINGS = {
  quick: { duration: 2, warmup: 0.5, connections: 50 },
  default: { duration: 8, warmup: 2, connections: 50 },
  full: { duration: 20, warmup: 3, connections: 50 },
};

/**
 * The comparison a row's note carries against its baseline: throughput (p99 for the rotation), and CPU
 * per request, which shared cores disturb less than throughput.
 */
function compare(row, result, baseline) {
  if (!baseline || !Number.isFinite(baseline.reqPerSec)) return undefined;
  const cpu = `CPU/req ${(result.cpuUsPerReq / baseline.cpuUsPerReq).toFixed(2)}×`;
  if (row.server?.kind === 'ring-node') {
    return `p99 ${(result.p99Ms / baseline.p99Ms).toFixed(2)}× steady, ${cpu}`;
  }
  return `req/s ${(result.reqPerSec / baseline.reqPerSec).toFixed(2)}× '${row.baseline}', ${cpu}`;
}

async function runRow(row, demo, timing, shared) {
  let target = demo;
  try {
    target ??= await forkServer(row.server);
    if (target.unsupported) return { skipped: `skipped: ${target.unsupported}` };
    const token = target.token ?? shared.token;
    const tampered = target.tampered ?? (target.token ? tamper(target.token) : shared.tampered);
    return await measure(target, row, token, tampered, timing);
  } catch (error) {
    // One broken row (a server that fails to start, or answers wrongly to the check) is reported in the
    // table and the run goes on; nothing is timed for it.
    return { skipped: `not measured: ${error.message}` };
  } finally {
    if (!demo) await target?.stop();
  }
}

/**
 * Runs the HTTP scenarios and returns one row per measurement.
 * @param {{ quick?: boolean, full?: boolean, only?: number[], log?: (line: string) => void }} [options]
 * @returns {Promise<{ suite: 'http', scenario: string, name: string, reqPerSec: number, p50Ms: number,
 *   p99Ms: number, cpuUsPerReq: number, note?: string }[]>}
 */
export async function runHttp({ quick = false, full = false, only, log = console.log } = {}) {
  const timing = TIMINGS[quick ? 'quick' : full ? 'full' : 'default'];
  const token = signToken(claims());
  const shared = { token, tampered: tamper(token) };
  const rows = [];
  for (const scenario of SCENARIOS) {
    if (only ? !only.includes(scenario.id) : quick && !scenario.quick) continue;
    const demo = scenario.demo ? await startDemo() : undefined;
    try {
      for (const row of scenario.rows) {
        if (row.full && !full) continue;
        log(`http ${scenario.id} ${scenario.scenario}: ${row.name} (${timing.duration} s)...`);
        const result = await runRow(row, demo, timing, shared);
        const base = { suite: 'http', scenario: scenario.scenario, name: row.name };
        if (result.skipped) {
          rows.push({
            ...base,
            reqPerSec: NaN,
            p50Ms: NaN,
            p99Ms: NaN,
            cpuUsPerReq: NaN,
            note: result.skipped,
          });
          continue;
        }
        const baseline = rows.find((r) => r.scenario === scenario.scenario && r.name === row.baseline);
        const note = [compare(row, result, baseline), result.note].filter(Boolean).join('; ');
        rows.push({ ...base, ...result, ...(note && { note }) });
      }
    } finally {
      await demo?.stop();
    }
  }
  return rows;
}

const number = (value, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '-';

/** The rows as a Markdown table. */
export function formatHttpTable(rows) {
  const lines = [
    '| scenario | name | req/s | p50 ms | p99 ms | CPU µs/req | note |',
    '|---|---|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.scenario} | ${r.name} | ${number(r.reqPerSec)} | ${number(r.p50Ms)} | ${number(r.p99Ms)} | ${number(r.cpuUsPerReq, 1)} | ${r.note ?? ''} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const onlyIndex = args.indexOf('--only');
  const only = onlyIndex === -1 ? undefined : args[onlyIndex + 1].split(',').map(Number);
  const rows = await runHttp({ quick: args.includes('--quick'), full: args.includes('--full'), only });
  console.log(`\n${formatHttpTable(rows)}\n\nNode ${process.version}, ${process.platform}/${process.arch}`);
}
