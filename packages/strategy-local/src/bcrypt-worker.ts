import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// bcryptjs is pure JavaScript: on the main thread a cost-10 check blocks the event loop for tens of
// milliseconds. Its checks run in worker threads instead (a small pool, started on first use).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptPath);
parentPort.on('message', ({ id, op, password, hash, cost }) => {
  try {
    const value = op === 'compare' ? bcrypt.compareSync(password, hash) : bcrypt.hashSync(password, cost);
    parentPort.postMessage({ id, value });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : 'bcrypt failed' });
  }
});
`;

type Job = {
  id: number;
  message: Record<string, unknown>;
  resolve(value: unknown): void;
  reject(error: Error): void;
};

interface PoolWorker {
  worker: Worker;
  job: Job | undefined;
}

const POOL_SIZE = 2;
const workers: PoolWorker[] = [];
const queue: Job[] = [];
let nextId = 1;
let bcryptPath: string | undefined;

function spawn(): PoolWorker {
  bcryptPath ??= createRequire(import.meta.url).resolve('bcryptjs');
  const entry: PoolWorker = {
    worker: new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath } }),
    job: undefined,
  };
  entry.worker.on('message', (reply: { id: number; value?: unknown; error?: string }) => {
    const job = entry.job;
    entry.job = undefined;
    if (job !== undefined && job.id === reply.id) {
      if (reply.error === undefined) job.resolve(reply.value);
      else job.reject(new Error(reply.error));
    }
    dispatch();
  });
  entry.worker.on('error', (error) => {
    workers.splice(workers.indexOf(entry), 1);
    entry.job?.reject(error);
    dispatch();
  });
  workers.push(entry);
  return entry;
}

function dispatch(): void {
  while (queue.length > 0) {
    const idle =
      workers.find((entry) => entry.job === undefined) ?? (workers.length < POOL_SIZE ? spawn() : undefined);
    if (idle === undefined) return;
    const job = queue.shift()!;
    idle.job = job;
    // A busy worker keeps the process alive until it answers; an idle one never does.
    idle.worker.ref();
    idle.worker.postMessage({ id: job.id, ...job.message });
  }
  for (const entry of workers) if (entry.job === undefined) entry.worker.unref();
}

function run<T>(message: Record<string, unknown>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    queue.push({ id: nextId++, message, resolve: resolve as (value: unknown) => void, reject });
    dispatch();
  });
}

/**
 * Compares a password with a bcrypt hash in a worker thread.
 * @param password - The password.
 * @param hash - A bcrypt hash (checked by the caller).
 */
export function bcryptCompare(password: string, hash: string): Promise<boolean> {
  return run<boolean>({ op: 'compare', password, hash });
}

/**
 * Hashes a password with bcrypt in a worker thread.
 * @param password - The password (at most 72 UTF-8 bytes: the caller checks).
 * @param cost - The bcrypt cost.
 */
export function bcryptHash(password: string, cost: number): Promise<string> {
  return run<string>({ op: 'hash', password, cost });
}
