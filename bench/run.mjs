#!/usr/bin/env node
// `npm run bench`: every suite, every contender in one process and one run. See bench/README.md.
//
//   npm run bench                  default run (under 10 minutes), then regenerates docs/benchmarks.md
//   npm run bench -- --quick       under a minute: HS256 and ES256, fewer rounds, no memory suite
//   npm run bench -- --full        every algorithm, more rounds, the memory suite without its time cap
//   --no-build                     reuse packages/*/dist (Node 20 cannot run the TypeScript sources)
//   --no-http                      skip the HTTP suites (bench/http)
//   --rounds N, --time MS          override the rounds and the milliseconds per task per round
//   --only micro,e2e,keys,memory,http   run some suites only
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineInfo, machineLine, mib, suiteText } from './lib/format.mjs';
import { DEFAULT_ALGORITHMS, FULL_ALGORITHMS, QUICK_ALGORITHMS } from './micro/algorithms.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const KNOWN = ['--quick', '--full', '--no-build', '--no-http', '--rounds', '--time', '--only'];
for (const [i, arg] of args.entries()) {
  const takesValue = ['--rounds', '--time', '--only'].includes(args[i - 1]);
  if (!takesValue && !KNOWN.includes(arg)) {
    process.stderr.write(`bench: unknown argument ${arg} (known: ${KNOWN.join(' ')})\n`);
    process.exit(2);
  }
}
const quick = flag('--quick');
const full = flag('--full');
const mode = quick ? 'quick' : full ? 'full' : 'default';
const MODES = {
  quick: { rounds: 3, time: 100, warmup: 50, algorithms: QUICK_ALGORITHMS, keygen: ['ES256', 'EdDSA'] },
  default: {
    rounds: 5,
    time: 300,
    warmup: 200,
    algorithms: DEFAULT_ALGORITHMS,
    keygen: ['RS256', 'ES256', 'EdDSA'],
  },
  full: {
    rounds: 7,
    time: 500,
    warmup: 300,
    algorithms: FULL_ALGORITHMS,
    keygen: ['RS256', 'ES256', 'ES384', 'ES512', 'EdDSA'],
  },
};
const settings = MODES[mode];
const timing = {
  rounds: Number(value('--rounds') ?? settings.rounds),
  time: Number(value('--time') ?? settings.time),
  warmup: settings.warmup,
};
const only = value('--only')?.split(',');
const wanted = (suite) => only === undefined || only.includes(suite);
const log = (line) => process.stdout.write(`${line}\n`);
const started = Date.now();

// Node 20 cannot run TypeScript sources: the bench measures the build (dist/), which is what users run.
if (!flag('--no-build')) {
  log('building the packages (npx turbo run build)...');
  execFileSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], {
    cwd: root,
    stdio: 'inherit',
  });
}

const core = await import('@org/core');
const jwt = await import('@org/strategy-jwt');
const results = {
  mode,
  timing,
  machine: machineInfo(),
  suites: {},
  skipped: [],
};
log(
  `\n${mode} run: ${timing.rounds} rounds × ${timing.time} ms per contender, after a ${timing.warmup} ms warm-up`,
);
log(machineLine(results.machine));

function report(suite, rows) {
  results.suites[suite] = rows;
  log(suiteText(rows));
}

if (wanted('micro')) {
  log('\n== micro: verify and sign, ratios to the node:crypto lax baseline ==');
  const { runMicro } = await import('./micro/suite.mjs');
  const micro = await runMicro(jwt, { algorithms: settings.algorithms, timing, log });
  results.payloadBytes = micro.payloadBytes;
  if (!micro.verifiedTokenCache) results.skipped.push('ours + verifiedTokenCache (not in this build)');
  report('micro', micro.rows);
}

if (wanted('e2e')) {
  log('\n== e2e: AuthenticationService.authenticate, ratios to Feathers ==');
  const { runE2e } = await import('./e2e.mjs');
  const memory = await import('@org/adapter-memory');
  const sqlite = await import('@org/adapter-sqlite');
  const { hasVerifiedTokenCache } = await import('./micro/contenders.mjs');
  const { keysFor } = await import('./micro/algorithms.mjs');
  const verifiedTokenCache = await hasVerifiedTokenCache(jwt, 'HS256', keysFor('HS256'));
  report('e2e', await runE2e({ core, jwt, memory, sqlite, verifiedTokenCache, timing, log }));
}

if (wanted('keys')) {
  log('\n== keys: generation (ratio to bare node:crypto), rotation, JWKS ==');
  const { runKeys } = await import('./keys.mjs');
  // The key ring's generator is internal (not exported); the bench measures it from the build.
  const internals = await import('../packages/strategy-jwt/dist/keys/signing-key-pair.js').catch(() => ({}));
  report('keys', await runKeys({ jwt, internals, algorithms: settings.keygen, timing, log }));
}

if (wanted('memory') && !quick) {
  log('\n== memory: distinct tokens through authenticate with the caches on ==');
  const cap = full ? 900_000 : 120_000;
  const out = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      fileURLToPath(new URL('memory.mjs', import.meta.url)),
      '--tokens',
      '1000000',
      '--cap',
      String(cap),
    ],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const memory = JSON.parse(out.trim().split('\n').at(-1));
  results.suites.memory = memory;
  log(
    `${memory.tokens.toLocaleString('en-US')} of ${memory.requested.toLocaleString('en-US')} tokens in ${memory.seconds.toFixed(1)} s` +
      `: heapUsed ${mib(memory.heapBefore)} -> ${mib(memory.heapAfter)}` +
      `; entity cache ${memory.entityCacheSize} (max ${memory.entityCacheMax})` +
      `; verifiedTokenCache ${memory.verifiedTokenCache ? `${memory.verifiedTokenCacheSize ?? '?'} entries, ${mib(memory.verifiedTokenCacheBytes ?? 0)} estimated` : 'not in this build'}`,
  );
}

const httpEntry = new URL('http/index.mjs', import.meta.url);
if (wanted('http')) {
  if (flag('--no-http')) log('\n(http suites skipped: --no-http)');
  else if (!existsSync(httpEntry)) {
    log('\n(http suites skipped: bench/http/index.mjs is not there)');
    results.skipped.push('http (bench/http/index.mjs absent)');
  } else {
    log('\n== http: autocannon over loopback ==');
    const { runHttp } = await import(httpEntry.href);
    report('http', await runHttp({ quick, full, log }));
  }
}

results.seconds = (Date.now() - started) / 1000;
const dir = new URL('results/', import.meta.url);
mkdirSync(dir, { recursive: true });
const stamp = results.machine.date.replace(/[:.]/g, '-');
const json = `${JSON.stringify(results, null, 2)}\n`;
writeFileSync(new URL(`${stamp}.json`, dir), json);
writeFileSync(new URL('latest.json', dir), json);
log(`\nresults: bench/results/${stamp}.json (and latest.json), ${results.seconds.toFixed(0)} s in all`);

if (!quick && only === undefined) {
  const { writeDocs } = await import('./report.mjs');
  log(writeDocs(results));
}
