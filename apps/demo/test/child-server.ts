// Test support: the demo as a real child process (what `npm start` runs), started with an environment and
// stopped by its own process id.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const DEMO_DIR = fileURLToPath(new URL('..', import.meta.url));

/** A running demo process. */
export interface ChildServer {
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** The process. */
  child: ChildProcess;
  /** Everything it printed, for failure messages. */
  output(): string;
  /** Sends SIGTERM to its process id and waits for it to exit; resolves the exit code. */
  stop(): Promise<number | null>;
}

/** Waits until `url` answers 200, or the process exits, or `timeout` ms pass. */
export async function waitForHealth(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeout = 45_000,
): Promise<void> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no answer from ${url} within ${timeout} ms:\n${output()}`);
}

/** Collects a child's stdout and stderr. */
export function captureOutput(child: ChildProcess): () => string {
  let text = '';
  child.stdout?.on('data', (chunk) => (text += String(chunk)));
  child.stderr?.on('data', (chunk) => (text += String(chunk)));
  return () => text;
}

/** Sends `signal` to `pid` (a negative pid: its process group) and waits for `child` to exit. */
export async function stopProcess(
  child: ChildProcess,
  pid: number,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  process.kill(pid, signal);
  return exited;
}

/**
 * Starts `src/main.ts` the way `npm start` does, on `port`, with `env` added to this process's
 * environment (without its `DATABASE_URL`/`REDIS_URL` unless `env` sets them).
 */
export async function startChildServer(port: number, env: Record<string, string>): Promise<ChildServer> {
  const { DATABASE_URL: _d, REDIS_URL: _r, NODE_CONFIG: _c, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--conditions=@org/source', '--import', 'tsx', 'src/main.ts'], {
    cwd: DEMO_DIR,
    env: { ...inherited, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = captureOutput(child);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(`${base}/health`, child, output);
  } catch (error) {
    await stopProcess(child, child.pid!, 'SIGKILL');
    throw error;
  }
  return { base, child, output, stop: () => stopProcess(child, child.pid!) };
}
