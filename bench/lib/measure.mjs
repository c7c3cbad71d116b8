// Timing for every suite: each contender runs for a fixed time per round, the rounds interleave the
// contenders (so a burst of load on the shared machine hits them all alike), and the result is the median
// of the rounds with their min..max spread. No statistics library: the median of a few rounds is robust
// enough for ratios, and the spread says how noisy the machine was.
import { performance } from 'node:perf_hooks';

/** Runs `fn` for about `ms` milliseconds and at least `minOps` times; returns operations per second. */
export async function opsFor(fn, ms, minOps = 1) {
  let n = 0;
  let batch = 1;
  const start = performance.now();
  let now = start;
  // Batches grow until one takes a few milliseconds, so reading the clock costs nothing measurable.
  while (now - start < ms || n < minOps) {
    const before = now;
    for (let i = 0; i < batch; i++) await fn();
    n += batch;
    now = performance.now();
    if (now - before < 2 && batch < 65_536) batch *= 2;
  }
  return (n * 1000) / (now - start);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Measures tasks side by side: a warm-up of each, then `rounds` rounds of every task in turn.
 * @param {Array<{ name: string, fn: () => unknown }>} tasks
 * @param {{ rounds: number, time: number, warmup: number, minOps?: number }} timing - milliseconds per
 *   task per round, and the fewest operations a round may count (for tasks slower than a round)
 * @returns {Promise<Array<{ name: string, opsPerSec: number, min: number, max: number, rounds: number[] }>>}
 */
export async function measureTasks(tasks, { rounds, time, warmup, minOps = 1 }) {
  for (const task of tasks) await opsFor(task.fn, warmup);
  const samples = tasks.map(() => []);
  for (let round = 0; round < rounds; round++) {
    // Rotating the start spreads the first slot (right after the previous round's last task) evenly.
    for (let i = 0; i < tasks.length; i++) {
      const index = (i + round) % tasks.length;
      samples[index].push(await opsFor(tasks[index].fn, time, minOps));
    }
  }
  return tasks.map((task, i) => ({
    name: task.name,
    opsPerSec: median(samples[i]),
    min: Math.min(...samples[i]),
    max: Math.max(...samples[i]),
    rounds: samples[i],
  }));
}

/**
 * The fairness rule: a contender is timed only once it accepts the genuine input and refuses every
 * tampered one, so nobody wins by checking less.
 */
export async function assertAcceptsAndRefuses(name, fn, genuine, tampered) {
  try {
    await fn(genuine);
  } catch (error) {
    throw new Error(`${name} refused the genuine token: ${error?.message ?? error}`, { cause: error });
  }
  for (const [label, input] of Object.entries(tampered)) {
    let refused = false;
    try {
      await fn(input);
    } catch {
      refused = true;
    }
    if (!refused) throw new Error(`${name} accepted a token with a ${label}`);
  }
}
