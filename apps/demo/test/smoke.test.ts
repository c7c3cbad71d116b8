// `npm start` on a fresh clone: nothing built, no data/ folder, no database. Within 30 seconds it answers
// /health, serves the JWKS and accepts a sign-up and a login; then SIGTERM to its own process group
// stops it cleanly.
//
// The clone is `git clone --shared` of this repository at HEAD (no copy of the objects). Installing
// its dependencies again would take minutes (better-sqlite3 compiles from source offline), so the clone
// gets a node_modules that links every installed third-party package from this checkout, while every
// `@org/*` link points into the clone: the code that runs is the clone's own.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureOutput, stopProcess, waitForHealth } from './child-server.ts';
import { freePort, uniqueEmail } from './support.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const START_WITHIN = 30_000;

let clone: string;

/** Links `source/node_modules`'s entries into `target/node_modules`, except the workspace packages. */
function linkInstalled(source: string, target: string): void {
  const from = join(source, 'node_modules');
  if (!existsSync(from)) return;
  const to = join(target, 'node_modules');
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    if (entry === '@org' || entry === '.cache') continue;
    symlinkSync(join(from, entry), join(to, entry));
  }
}

/** Workspace links as npm makes them, relative, so they resolve inside the clone. */
function linkWorkspaces(dir: string): void {
  const scope = join(dir, 'node_modules', '@org');
  mkdirSync(scope, { recursive: true });
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(dir, group))) {
      if (!existsSync(join(dir, group, name, 'package.json'))) continue;
      symlinkSync(relative(scope, join(dir, group, name)), join(scope, name));
    }
  }
}

beforeAll(() => {
  clone = mkdtempSync(join(tmpdir(), 'org-demo-clone-'));
  const head = execFileSync('git', ['-C', ROOT, 'rev-parse', 'HEAD']).toString().trim();
  execFileSync('git', ['clone', '--quiet', '--shared', '--no-checkout', ROOT, clone]);
  execFileSync('git', ['-C', clone, 'checkout', '--quiet', '--detach', head]);
  linkInstalled(ROOT, clone);
  linkWorkspaces(clone);
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(clone, group)))
      linkInstalled(join(ROOT, group, name), join(clone, group, name));
  }
});

afterAll(() => {
  if (clone) rmSync(clone, { recursive: true, force: true });
});

describe('npm start on a fresh clone', () => {
  it('answers /health, serves the JWKS and accepts a login within 30 s, then stops on SIGTERM', async () => {
    expect(existsSync(join(clone, 'apps/demo/data'))).toBe(false);
    expect(existsSync(join(clone, 'packages/core/dist'))).toBe(false);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const {
      DATABASE_URL: _d,
      REDIS_URL: _r,
      AUTH_KEK: _k,
      NODE_CONFIG: _c,
      DATA_DIR: _dd,
      ...env
    } = process.env;
    const started = Date.now();
    // Its own process group: npm, the shell it runs and the server all get the signal sent to -pid.
    const npm = spawn('npm', ['start'], {
      cwd: clone,
      env: { ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const output = captureOutput(npm);
    try {
      await waitForHealth(`${base}/health`, npm, output, START_WITHIN);

      const jwks = await fetch(`${base}/.well-known/jwks.json`);
      expect(jwks.status).toBe(200);
      expect((await jwks.json()).keys).toHaveLength(1);

      const email = uniqueEmail('smoke');
      const credentials = { email, password: 'correct horse battery' };
      const json = (body: unknown) => ({
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect((await fetch(`${base}/users`, json(credentials))).status).toBe(201);
      const login = await fetch(`${base}/authentication`, json({ strategy: 'local', ...credentials }));
      expect(login.status).toBe(201);
      expect((await login.json()).accessToken).toMatch(/^ey/);
      expect(Date.now() - started).toBeLessThan(START_WITHIN);

      // It said where to go, and created its data folder with a private KEK.
      expect(output()).toContain(`org-auth demo listening on ${base}`);
      expect(output()).toContain(`${base}/docs/`);
      expect(output()).toContain('Sign up on the login page');
      expect(statSync(join(clone, 'apps/demo/data/kek')).mode & 0o777).toBe(0o600);
      expect(existsSync(join(clone, 'apps/demo/data/demo.sqlite'))).toBe(true);
    } finally {
      await stopProcess(npm, -npm.pid!);
    }
    // npm may exit before the server has closed: wait (bounded) until nothing answers any more.
    await expect
      .poll(
        () =>
          fetch(`${base}/health`).then(
            () => 'answering',
            () => 'stopped',
          ),
        { timeout: 10_000 },
      )
      .toBe('stopped');
    expect(output()).toContain('SIGTERM: closing');
    // `data/` is ignored: the clone's working tree is still clean.
    expect(execFileSync('git', ['-C', clone, 'status', '--porcelain']).toString()).toBe('');
  });
});
