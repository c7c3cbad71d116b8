// The processes under load: a benchmark server forked from server.mjs (CPU over IPC), or the demo started
// as `npm start` runs it (CPU from /proc, since it has no IPC channel). Each is stopped by its own pid.
import { execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const SERVER = fileURLToPath(new URL('server.mjs', import.meta.url));
const DEMO_DIR = fileURLToPath(new URL('../../apps/demo/', import.meta.url));
// The in-process denylist warns once at setup that logout is per instance: true, and noise here.
const EXEC_ARGV = ['--disable-warning=ORG_JWT_REVOCATION_IN_PROCESS'];

/** Waits for the next IPC message of `type` from `child`, or rejects when it exits first. */
function nextMessage(child, type) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (message.type !== type && message.type !== 'unsupported') return;
      child.off('message', onMessage).off('exit', onExit);
      resolve(message);
    };
    const onExit = (code) => reject(new Error(`the benchmark server exited (${code}) before '${type}'`));
    child.on('message', onMessage).once('exit', onExit);
  });
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.connected) child.disconnect();
  else child.kill();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Forks server.mjs with `spec`; resolves `{ port, token?, tampered?, unsupported? }` and its controls. */
export async function forkServer(spec) {
  const child = fork(SERVER, [JSON.stringify(spec)], { execArgv: EXEC_ARGV, stdio: 'inherit' });
  const ready = await nextMessage(child, 'ready');
  const stop = () => stopChild(child);
  if (ready.type === 'unsupported') {
    await stop();
    return { unsupported: ready.message, stop };
  }
  return {
    base: `http://127.0.0.1:${ready.port}`,
    token: ready.token,
    tampered: ready.tampered,
    async cpuStart() {
      child.send({ type: 'start' });
      await nextMessage(child, 'started');
    },
    async cpuStop() {
      child.send({ type: 'stop' });
      const { cpuUs, changes } = await nextMessage(child, 'usage');
      return { cpuUs, changes };
    },
    stop,
  };
}

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User + system CPU of `pid` in microseconds, from /proc/<pid>/stat (fields 14 and 15, in ticks). */
function procCpuUs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}

async function post(base, path, body, token) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`demo: POST ${path} answered ${response.status}`);
  return response.json();
}

/**
 * Starts apps/demo through tsx with a temporary data directory and KEK, signs up a user, logs in, and
 * posts 20 messages; resolves its base URL, the login token and its controls.
 */
export async function startDemo() {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-http-demo-'));
  const port = await freePort();
  const { DATABASE_URL: _d, REDIS_URL: _r, NODE_CONFIG: _c, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--conditions=@org/source', '--import', 'tsx', 'src/main.ts'], {
    cwd: DEMO_DIR,
    env: {
      ...inherited,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      AUTH_KEK: randomBytes(32).toString('base64url'),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the demo exited (${child.exitCode})`);
      if (Date.now() > deadline) throw new Error('the demo did not answer /health within 60 s');
      const ok = await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const credentials = { email: 'ada@example.com', password: randomBytes(12).toString('base64url') };
    await post(base, '/users', credentials);
    const { accessToken } = await post(base, '/authentication', { strategy: 'local', ...credentials });
    for (let i = 0; i < 20; i++) await post(base, '/messages', { text: `message ${i}` }, accessToken);
    let cpu = 0;
    return {
      base,
      token: accessToken,
      async cpuStart() {
        cpu = procCpuUs(child.pid);
      },
      async cpuStop() {
        return { cpuUs: procCpuUs(child.pid) - cpu };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
