// One measured row: check the server's answers, warm it up, then load it with autocannon (in this
// process, loopback only) while the server counts its own CPU; a row may be loaded several times after
// one warm-up.
import autocannon from 'autocannon';

/**
 * Before timing, the row's path must answer 200 to the good token, and, when guarded, 401 to the
 * tampered one: a server that accepts anything would win by checking less.
 */
async function check(url, row, token, tampered) {
  const status = async (value) =>
    (await fetch(url, { headers: { authorization: `Bearer ${value}` } })).status;
  const good = await status(token);
  if (good !== 200) throw new Error(`${row.name}: ${url} answered ${good} to a good token`);
  if (!row.guarded) return;
  const bad = await status(tampered);
  if (bad !== 401) throw new Error(`${row.name}: ${url} answered ${bad} to a tampered token`);
}

function cannon(url, token, seconds, connections) {
  return autocannon({
    url,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
  });
}

/**
 * Checks `row`'s answers on a started `target`, then warms it up for `timing.warmup` seconds.
 * @param {{ warmup: number, connections: number }} timing
 */
export async function prepare(target, row, token, tampered, timing) {
  const url = `${target.base}${row.path ?? '/'}`;
  await check(url, row, token, tampered);
  if (timing.warmup > 0) await cannon(url, token, timing.warmup, timing.connections);
}

/**
 * Loads a prepared `row` for `timing.duration` seconds while its server counts its own CPU.
 * @returns {Promise<{ reqPerSec: number, p50Ms: number, p99Ms: number, cpuUsPerReq: number,
 *   keySetChanges?: number, note?: string }>}
 */
export async function load(target, row, token, timing) {
  const url = `${target.base}${row.path ?? '/'}`;
  await target.cpuStart();
  const result = await cannon(url, token, timing.duration, timing.connections);
  const { cpuUs, changes } = await target.cpuStop();
  const completed = result.requests.total;
  const notes = [];
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) notes.push(`${failed} failed (non-2xx ${result.non2xx}, errors ${result.errors})`);
  return {
    reqPerSec: completed / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuUsPerReq: completed > 0 ? cpuUs / completed : NaN,
    ...(changes !== undefined && row.server?.kind === 'ring-node' && { keySetChanges: changes }),
    ...(notes.length > 0 && { note: notes.join('; ') }),
  };
}

/**
 * Measures `row` on a started `target` with `timing` `{ duration, warmup, connections }` (seconds):
 * {@link prepare}, then {@link load}.
 */
export async function measure(target, row, token, tampered, timing) {
  await prepare(target, row, token, tampered, timing);
  return load(target, row, token, timing);
}
