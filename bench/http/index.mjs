#!/usr/bin/env node
// HTTP benchmarks (issue 11): each server in its own process on 127.0.0.1, autocannon in this one.
// See bench/http/README.md. Imports the built packages: run `npx turbo run build` first.
//
//   node bench/http/index.mjs            every scenario, 3 rounds of 2.5 s per row after 1 s warm-ups (~6 min)
//   node bench/http/index.mjs --quick    scenarios 1-4, one round of 2 s
//   node bench/http/index.mjs --full     every scenario and row, 5 rounds of 6 s
//   node bench/http/index.mjs --only 2,7 those scenarios
import { pathToFileURL } from 'node:url';
import { ratio } from '../lib/format.mjs';
import { median } from '../lib/measure.mjs';
import { measure } from './load.mjs';
import { SCENARIOS } from './scenarios.mjs';
import { forkServer, startDemo } from './targets.mjs';
import { claims, signToken, tamper } from './token.mjs';

// Rows of a scenario take turns, round after round (each round forks its server afresh, warms it up and
// loads it): a burst of load from a neighbour on the shared machine then hits every row alike, and a
// ratio to the baseline is taken within each round, its median reported with the rounds' min..max.
const TIMINGS = {
  quick: { rounds: 1, duration: 2, warmup: 0.5, connections: 50 },
  default: { rounds: 3, duration: 2.5, warmup: 1, connections: 50 },
  full: { rounds: 5, duration: 6, warmup: 2, connections: 50 },
};

// A round that completed no request has NaN figures: it is left out of the medians.
const finiteMedian = (values) => median(values.filter(Number.isFinite));

/** `0.62×` for one round, `0.62× (0.58..0.66)` for several. */
function summarise(ratios) {
  if (ratios.length === 1) return ratio(ratios[0]);
  return `${ratio(finiteMedian(ratios))} (${Math.min(...ratios).toFixed(2)}..${Math.max(...ratios).toFixed(2)})`;
}

/**
 * The comparison a row's note carries against its baseline, round by round: throughput (p99 for the
 * rotation), and CPU per request, which shared cores disturb less than throughput.
 */
function compare(row, rounds, baselineRounds) {
  if (!baselineRounds) return undefined;
  const pairs = rounds.map((r, i) => [r, baselineRounds[i]]).filter(([, b]) => b !== undefined);
  if (pairs.length === 0) return undefined;
  const cpu = `CPU/req ${summarise(pairs.map(([r, b]) => r.cpuUsPerReq / b.cpuUsPerReq))}`;
  if (row.server?.kind === 'ring-node') {
    return `p99 ${summarise(pairs.map(([r, b]) => r.p99Ms / b.p99Ms))} steady, ${cpu}`;
  }
  const reqs = summarise(pairs.map(([r, b]) => r.reqPerSec / b.reqPerSec));
  return `req/s ${reqs} '${row.baseline}', ${cpu}`;
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

/** One row's result from its rounds: the median of each figure, the rounds kept beside them. */
function aggregate(rounds) {
  const notes = [...new Set(rounds.map((r) => r.note).filter(Boolean))];
  const changes = rounds.map((r) => r.keySetChanges).filter((n) => n !== undefined);
  if (changes.length > 0) {
    const total = changes.reduce((sum, n) => sum + n, 0);
    notes.unshift(`${total} key-set changes in ${changes.length} round${changes.length === 1 ? '' : 's'}`);
  }
  return {
    reqPerSec: finiteMedian(rounds.map((r) => r.reqPerSec)),
    p50Ms: finiteMedian(rounds.map((r) => r.p50Ms)),
    p99Ms: finiteMedian(rounds.map((r) => r.p99Ms)),
    cpuUsPerReq: finiteMedian(rounds.map((r) => r.cpuUsPerReq)),
    rounds,
    ...(notes.length > 0 && { note: notes.join('; ') }),
  };
}

/**
 * Runs the HTTP scenarios and returns one row per measured row, its figures the medians of its rounds.
 * @param {{ quick?: boolean, full?: boolean, only?: number[], log?: (line: string) => void }} [options]
 * @returns {Promise<{ suite: 'http', scenario: string, name: string, reqPerSec: number, p50Ms: number,
 *   p99Ms: number, cpuUsPerReq: number, rounds?: object[], note?: string }[]>}
 */
export async function runHttp({ quick = false, full = false, only, log = console.log } = {}) {
  const timing = TIMINGS[quick ? 'quick' : full ? 'full' : 'default'];
  const token = signToken(claims());
  const shared = { token, tampered: tamper(token) };
  const rows = [];
  for (const scenario of SCENARIOS) {
    if (only ? !only.includes(scenario.id) : quick && !scenario.quick) continue;
    const measured = scenario.rows.filter((row) => !row.full || full);
    const results = new Map(measured.map((row) => [row, []]));
    const skipped = new Map();
    const demo = scenario.demo ? await startDemo() : undefined;
    try {
      for (let round = 1; round <= timing.rounds; round++) {
        for (const row of measured) {
          if (skipped.has(row)) continue;
          log(
            `http ${scenario.id} ${scenario.scenario}: ${row.name} (round ${round}/${timing.rounds}, ${timing.duration} s)...`,
          );
          const result = await runRow(row, demo, timing, shared);
          if (result.skipped) skipped.set(row, result.skipped);
          else results.get(row).push(result);
        }
      }
    } finally {
      await demo?.stop();
    }
    for (const row of measured) {
      const base = { suite: 'http', scenario: scenario.scenario, name: row.name };
      if (skipped.has(row)) {
        const note = skipped.get(row);
        rows.push({ ...base, reqPerSec: NaN, p50Ms: NaN, p99Ms: NaN, cpuUsPerReq: NaN, note });
        continue;
      }
      const rounds = results.get(row);
      const baseline = measured.find((r) => r.name === row.baseline);
      const baselineRounds = baseline && !skipped.has(baseline) ? results.get(baseline) : undefined;
      const result = aggregate(rounds);
      const note = [compare(row, rounds, baselineRounds), result.note].filter(Boolean).join('; ');
      rows.push({ ...base, ...result, ...(note && { note }) });
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
