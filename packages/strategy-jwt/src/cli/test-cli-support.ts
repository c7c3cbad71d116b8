// Test support: runs the bundled `org-keys` bin in a real child process.
import { spawn } from 'node:child_process';
import { bundleChild } from '../shared/test-child-bundle.ts';

export const KEK = 'jwks-helper-cli-kek-0123456789abcdefghij';
export const OTHER_KEK = 'jwks-helper-cli-other-kek-0123456789abcd';

/**
 * The per-test timeout of the files that run `org-keys`: a test runs up to ten fresh Node processes in
 * turn, ~0.3 s each on an idle machine but up to ~1 s on a loaded 2-core CI runner, where the default
 * 5 s was already nearly used up (4.6 s measured).
 */
export const CLI_TEST_TIMEOUT = 30_000;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

let bin: Promise<string> | undefined;

/** Bundles src/cli.ts once per test file. */
export function cliBin(): Promise<string> {
  return (bin ??= bundleChild(new URL('../cli.ts', import.meta.url), 'org-keys'));
}

/** Runs `org-keys args...` with `ORG_KEYS_KEK` set unless `env` overrides it. */
export async function orgKeys(
  args: string[],
  options: { env?: Record<string, string | undefined>; stdin?: string } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [await cliBin(), ...args], {
    env: { PATH: process.env.PATH, ORG_KEYS_KEK: KEK, ...options.env } as NodeJS.ProcessEnv,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  child.stdin.end(options.stdin ?? '');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}
