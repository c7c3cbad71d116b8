// Test support: an in-process demo on a temporary data folder, and small HTTP helpers.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemo, type Demo } from '../src/app.ts';
import { loadConfig, type DemoConfig } from '../src/config.ts';

/** A demo built for a test, with its temporary data folder. */
export interface TestDemo extends Demo {
  /** Closes the demo and deletes its data folder. */
  dispose(): Promise<void>;
}

/** Deep-merges `overrides` into the configuration the way NODE_CONFIG does. */
export function testConfig(overrides: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): DemoConfig {
  return loadConfig({ ...env, NODE_CONFIG: JSON.stringify(overrides) });
}

/**
 * Builds a demo on a fresh data folder (SQLite file and KEK), not listening: use `demo.app.inject()`,
 * or `listen()` for sockets and browsers.
 */
export async function startDemo(
  overrides: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = {},
): Promise<TestDemo> {
  const dataDir = mkdtempSync(join(tmpdir(), 'org-demo-'));
  const config = testConfig({ dataDir, ...overrides }, env);
  const demo = await createDemo(config, env);
  return Object.assign(demo, {
    async dispose() {
      await demo.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let counter = 0;

/** An email address no other test (or run) uses. */
export function uniqueEmail(name = 'user'): string {
  counter += 1;
  return `${name}-${process.pid}-${Date.now().toString(36)}-${counter}@example.com`;
}

/** Signs a user up and logs in through the HTTP API of an in-process demo. */
export async function signUpAndLogIn(
  demo: Demo,
  email = uniqueEmail(),
  password = 'correct horse battery',
): Promise<{ accessToken: string; user: Record<string, unknown>; email: string; password: string }> {
  const created = await demo.app.inject({ method: 'POST', url: '/users', payload: { email, password } });
  if (created.statusCode !== 201) throw new Error(`sign-up failed: ${created.statusCode} ${created.body}`);
  const login = await demo.app.inject({
    method: 'POST',
    url: '/authentication',
    payload: { strategy: 'local', email, password },
  });
  if (login.statusCode !== 201) throw new Error(`login failed: ${login.statusCode} ${login.body}`);
  const { accessToken, user } = login.json() as { accessToken: string; user: Record<string, unknown> };
  return { accessToken, user, email, password };
}

/** The Authorization header for a token. */
export const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });

/** A demo listening on a free loopback port, with its base URL (also its issuer). */
export async function listeningDemo(
  overrides: Record<string, unknown> = {},
): Promise<{ demo: TestDemo; base: string }> {
  const port = await freePort();
  const demo = await startDemo({ port, ...overrides });
  await demo.app.listen({ host: '127.0.0.1', port });
  return { demo, base: `http://127.0.0.1:${port}` };
}
