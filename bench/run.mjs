#!/usr/bin/env node
// Token verification throughput, side by side in one process: our strict verifier, a lax node:crypto
// baseline, jose, fast-jwt and jsonwebtoken, on HS256 and ES256. See bench/README.md.
//
//   npm run bench                 build @org/core and @org/strategy-jwt, then measure
//   npm run bench -- --no-build   reuse the existing dist/ folders
//   npm run bench -- --time 3000  milliseconds per task (default 1500)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const timeIndex = args.indexOf('--time');
const time = timeIndex === -1 ? 1500 : Number(args[timeIndex + 1]);

// Node 20 cannot run TypeScript sources, so the bench measures the published build (dist/), which is
// also what users run.
if (!args.includes('--no-build')) {
  for (const pkg of ['core', 'strategy-jwt']) {
    process.stdout.write(`building @org/${pkg}...\n`);
    execFileSync('npx', ['tsc', '-p', `packages/${pkg}/tsconfig.build.json`], {
      cwd: root,
      stdio: 'inherit',
    });
  }
}

const pkg = await import('@org/strategy-jwt');
const { contenders } = await import('./verifiers.mjs');

function opsPerSecond(task) {
  const result = task.result;
  if (!result || !('latency' in result)) throw new Error(`${task.name}: ${result?.error ?? result?.state}`);
  return { ops: 1000 / result.latency.mean, rme: result.latency.rme };
}

const format = (n) => Math.round(n).toLocaleString('en-US');
const summary = [];

for (const alg of ['HS256', 'ES256']) {
  const { token, tasks } = await contenders(pkg, alg);
  const tampered = `${token.slice(0, -6)}${token.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`;
  const bench = new Bench({ time, warmupTime: 300, throws: true });
  for (const [name, fn] of tasks) {
    // Every contender must accept the token and refuse a tampered one, or the race is not fair.
    await fn(token);
    let refused = false;
    try {
      await fn(tampered);
    } catch {
      refused = true;
    }
    if (!refused) throw new Error(`${name} accepted a tampered ${alg} token`);
    bench.add(name, () => fn(token));
  }
  process.stdout.write(`\n${alg}: ${tasks.length} verifiers, ${time} ms each...\n`);
  await bench.run();

  const rows = bench.tasks.map((task) => ({ name: task.name, ...opsPerSecond(task) }));
  const jose = rows.find((row) => row.name.startsWith('jose'));
  const fast = rows.find((row) => row.name.startsWith('fast-jwt'));
  const width = Math.max(...rows.map((row) => row.name.length));
  process.stdout.write(
    `${'verifier'.padEnd(width)}  ${'ops/s'.padStart(9)}  ${'±%'.padStart(5)}  ${'× jose'.padStart(7)}  ${'× fast-jwt'.padStart(10)}\n`,
  );
  for (const row of rows) {
    process.stdout.write(
      `${row.name.padEnd(width)}  ${format(row.ops).padStart(9)}  ${row.rme.toFixed(1).padStart(5)}  ${(row.ops / jose.ops).toFixed(2).padStart(7)}  ${(row.ops / fast.ops).toFixed(2).padStart(10)}\n`,
    );
    summary.push({ alg, ...row });
  }
}

const ours = (alg) => summary.find((row) => row.alg === alg && row.name.startsWith('@org'));
const lax = (alg) => summary.find((row) => row.alg === alg && row.name.startsWith('node:crypto'));
process.stdout.write('\nstrict / lax (cost of the strict pre-parser and checks):\n');
for (const alg of ['HS256', 'ES256']) {
  process.stdout.write(`  ${alg}: ${(ours(alg).ops / lax(alg).ops).toFixed(2)}\n`);
}
process.stdout.write(`\nNode ${process.version}, ${process.platform}/${process.arch}\n`);
