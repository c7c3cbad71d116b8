#!/usr/bin/env node
// HTTP benchmarks (issue 11): each server in its own process on 127.0.0.1, autocannon in this one.
// See bench/http/README.md. Imports the built packages: run `npx turbo run build` first.
//
//   node bench/http/index.mjs            every scenario, 8 rounds of 1 s per row after one 1.5 s warm-up (~5 min)
//   node bench/http/index.mjs --quick    scenarios 1-4, one round of 2 s
//   node bench/http/index.mjs --full     every scenario and row, 10 rounds of 3 s
//   node bench/http/index.mjs --only 2,7 those scenarios
import { pathToFileURL } from 'node:url';
import { ratio } from '../lib/format.mjs';
import { median } from '../lib/measure.mjs';
import { load, measure, prepare } from './load.mjs';
import { SCENARIOS } from './scenarios.mjs';
import { forkServer, startDemo } from './targets.mjs';
import { claims, signToken, tamper } from './token.mjs';

// The rows of a scenario run side by side: each row's server is forked once, checked and warmed up, and
// then the rows take turns in short loads, round after round, forward then backward (a drift over the
// scenario then weighs on every row alike). A burst of load from a neighbour on the shared machine, which
// can move req/s by a third from one minute to the next, so hits the rows of one round alike; a ratio to
// the baseline is taken within each round, and its median is reported with the rounds' min..max.
const TIMINGS = {
  quick: { rounds: 1, duration: 2, warmup: 0.5, connections: 50 },
  default: { rounds: 8, duration: 1, warmup: 1.5, connections: 50 },
  full: { rounds: 10, duration: 3, warmup: 2, connections: 50 },
};
// A scenario marked `fresh` (the rotation: its rotating server generates keys in the background, which
// would weigh on the other row) forks its server afresh in every round instead, and loads it longer.
const FRESH_TIMINGS = {
  quick: TIMINGS.quick,
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

const tokensFor = (target, shared) => ({
  token: target.token ?? shared.token,
  tampered: target.tampered ?? (target.token ? tamper(target.token) : shared.tampered),
});

// One broken row (a server that fails to start or refuses its options, or answers wrongly to the check)
// is reported in the table and the run goes on; nothing more is timed for it.
const notMeasured = (error) => `not measured: ${error.message}`;

/** A `fresh` scenario's row in one round: its own server, forked, checked, warmed up, loaded, stopped. */
async function runFreshRow(row, timing, shared) {
  let target;
  try {
    target = await forkServer(row.server);
    if (target.unsupported) return { skipped: `skipped: ${target.unsupported}` };
    const { token, tampered } = tokensFor(target, shared);
    return await measure(target, row, token, tampered, timing);
  } catch (error) {
    return { skipped: notMeasured(error) };
  } finally {
    await target?.stop();
  }
}

/**
 * Every round of a scenario: rows side by side on servers started once (the demo's, or one forked per
 * row), or, for a `fresh` scenario, a new server per row and round.
 */
async function runRounds(scenario, measured, timing, shared, log) {
  const results = new Map(measured.map((row) => [row, []]));
  const skipped = new Map();
  const label = (row, round) =>
    `http ${scenario.id} ${scenario.scenario}: ${row.name} (round ${round}/${timing.rounds}, ${timing.duration} s)...`;
  if (scenario.fresh) {
    for (let round = 1; round <= timing.rounds; round++) {
      for (const row of measured) {
        if (skipped.has(row)) continue;
        log(label(row, round));
        const result = await runFreshRow(row, timing, shared);
        if (result.skipped) skipped.set(row, result.skipped);
        else results.get(row).push(result);
      }
    }
    return { results, skipped };
  }
  const demo = scenario.demo ? await startDemo() : undefined;
  const started = [];
  const live = new Map();
  try {
    for (const row of measured) {
      try {
        const target = demo ?? (await forkServer(row.server));
        if (!demo) started.push(target);
        if (target.unsupported) {
          skipped.set(row, `skipped: ${target.unsupported}`);
          continue;
        }
        const { token, tampered } = tokensFor(target, shared);
        log(`http ${scenario.id} ${scenario.scenario}: ${row.name} (check, ${timing.warmup} s warm-up)...`);
        await prepare(target, row, token, tampered, timing);
        live.set(row, { target, token });
      } catch (error) {
        skipped.set(row, notMeasured(error));
      }
    }
    for (let round = 1; round <= timing.rounds; round++) {
      for (const row of round % 2 === 1 ? measured : [...measured].reverse()) {
        const entry = live.get(row);
        if (entry === undefined) continue;
        log(label(row, round));
        try {
          results.get(row).push(await load(entry.target, row, entry.token, timing));
        } catch (error) {
          skipped.set(row, notMeasured(error));
          live.delete(row);
        }
      }
    }
  } finally {
    for (const target of started) await target.stop();
    await demo?.stop();
  }
  return { results, skipped };
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
  const mode = quick ? 'quick' : full ? 'full' : 'default';
  const token = signToken(claims());
  const shared = { token, tampered: tamper(token) };
  const rows = [];
  for (const scenario of SCENARIOS) {
    if (only ? !only.includes(scenario.id) : quick && !scenario.quick) continue;
    const measured = scenario.rows.filter((row) => !row.full || full);
    const timing = (scenario.fresh ? FRESH_TIMINGS : TIMINGS)[mode];
    const { results, skipped } = await runRounds(scenario, measured, timing, shared, log);
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
