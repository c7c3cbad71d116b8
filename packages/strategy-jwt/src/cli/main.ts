import { parseArgs } from 'node:util';
import { isAuthError } from '@org/core';
import type { KeyRingOptions } from '../keys/key-ring-options.ts';
import { isAsymmetricAlgorithm } from '../keys/signing-key-pair.ts';
import { CliError } from './cli-error.ts';
import { COMMANDS, type CommandContext } from './commands.ts';
import { openStore, redactStore, scrubStoreCredentials } from './open-store.ts';
import { DEFAULT_KEK_ENV, readKeks } from './read-kek.ts';
import { SCHEDULE_OPTIONS, scheduleOptions } from './schedule-flags.ts';

/** What the CLI talks to; the bin passes the process's, tests their own. @internal */
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  out: (text: string) => void;
  err: (text: string) => void;
  readStdin: () => Promise<string>;
  now?: () => number;
}

// Commands that never create a store: an SQLite file must already exist.
const MUST_EXIST = new Set(['list', 'export-jwks', 'verify-token', 'remove-unreadable']);

const OPTIONS = {
  store: { type: 'string' },
  'store-env': { type: 'string' },
  'kek-env': { type: 'string', default: DEFAULT_KEK_ENV },
  'old-kek-env': { type: 'string', multiple: true, default: [] as string[] },
  namespace: { type: 'string' },
  alg: { type: 'string' },
  json: { type: 'boolean', default: false },
  immediate: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  out: { type: 'string' },
  issuer: { type: 'string' },
  audience: { type: 'string' },
  typ: { type: 'string' },
  timeout: { type: 'string', default: '10' },
  ...SCHEDULE_OPTIONS,
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** The help text. @internal */
export function usage(): string {
  const commands = Object.entries(COMMANDS)
    .map(([name, { summary }]) => `  ${name.padEnd(14)}${summary}`)
    .join('\n');
  return `Usage: org-keys <command> [options]

Commands:
  generate | list | rotate [--immediate] | revoke <kid> | rewrap | export-jwks [--out FILE]
  import <file> | verify-token <token|-> [--issuer I] [--audience A] [--typ T]
  remove-unreadable [<id>...] [--dry-run]

${commands}

Options:
  --store URL          memory | sqlite://PATH | redis://HOST:PORT | postgres://USER@HOST/DB
  --store-env NAME     environment variable holding the store URL, so a password in it stays out of
                       ps and shell history (default when --store is absent: ${DEFAULT_STORE_ENV})
  --namespace NAME     key store namespace (default: keys)
  --kek-env NAME       environment variable holding the key-encryption secret (default: ${DEFAULT_KEK_ENV})
  --old-kek-env NAME   a previous KEK's variable, to open records not yet rewrapped (repeatable)
  --alg ALG            algorithm for new keys: ES256 (default), ES384, ES512, EdDSA, RS*, PS*
  --timeout SECONDS    give up on a store call that gets no answer after this long (default: 10)
  --rotation-period D, --pre-publication D, --cache-lifetime D, --max-token-lifetime D,
  --clock-tolerance D, --retention D, --refresh-interval D, --unknown-kid-cooldown D,
  --rsa-modulus-length BITS
                       the deployment's key ring settings (durations such as 30d, 24h, 5m, 20s),
                       defaulting and validated as the library does; the commands that write use them
                       and refuse a schedule shorter than the store's
  --dry-run            remove-unreadable: print what would be removed, remove nothing
  --json               machine-readable output
  -h, --help           this help`;
}

/**
 * Runs one `org-keys` invocation.
 * @returns The exit code: 0 success, 1 failure, 2 usage error.
 * @internal
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let storeSpec: string | undefined;
  let ctx: CommandContext | undefined;
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
      // Node's messages run on; keep the first sentence, and the `--` advice in short, since a kid
      // (a base64url thumbprint) starts with '-' about once in 64.
      const message = (error as Error).message;
      const first = message.split(/\.\s/)[0]!.replace(/\.$/, '');
      const dashHint = /^Unknown option '-[^-]/.test(message)
        ? "; put a value starting with '-' after --"
        : '';
      throw new CliError(`${first}${dashHint} (see --help)`, 2);
    }
    const { values, positionals } = parsed;
    const [name, ...args] = positionals;
    if (values.help || name === undefined || name === 'help') {
      io.out(usage());
      return name === undefined && !values.help ? 2 : 0;
    }
    const command = COMMANDS[name];
    if (!command) throw new CliError(`Unknown command '${name}' (see --help)`, 2);
    if (values.alg !== undefined && !isAsymmetricAlgorithm(values.alg)) {
      throw new CliError(
        `Unsupported --alg '${values.alg}': use ES256, ES384, ES512, EdDSA, RS256..512 or PS256..512`,
        2,
      );
    }
    const timeout = Number(values.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0) throw new CliError(`Bad --timeout '${values.timeout}'`, 2);
    const keks = readKeks(io.env, [values['kek-env'], ...values['old-kek-env']]);
    const schedule = scheduleOptions(values, values.alg as KeyRingOptions['algorithm']);
    storeSpec = storeUrl(values.store, values['store-env'], io.env);
    const store = openStore(storeSpec, {
      mustExist: MUST_EXIST.has(name),
      timeout: timeout * 1000,
      ...(values.namespace !== undefined && { namespace: values.namespace }),
    });
    ctx = {
      store,
      keks,
      alg: values.alg as CommandContext['alg'],
      schedule,
      json: values.json,
      args,
      flags: values,
      now: io.now ?? Date.now,
      out: io.out,
      warn: io.err,
      readStdin: io.readStdin,
    };
    // Every store call gives up after `timeout` by itself (Unavailable, reported below).
    return await command.run(ctx);
  } catch (error) {
    io.err(`org-keys: ${scrubStoreCredentials(describe(error, storeSpec), storeSpec)}`);
    return error instanceof CliError ? error.exitCode : 1;
  } finally {
    await ctx?.store.close().catch(() => undefined);
  }
}

/** The variable read for the store URL when neither `--store` nor `--store-env` is given. @internal */
export const DEFAULT_STORE_ENV = 'ORG_KEYS_STORE';

/** `--store`, or the variable `--store-env` names (`ORG_KEYS_STORE` by default), never both. */
function storeUrl(
  flag: string | undefined,
  envName: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (flag !== undefined && envName !== undefined) {
    throw new CliError('Give --store or --store-env, not both', 2);
  }
  if (flag !== undefined) return flag;
  const name = envName ?? DEFAULT_STORE_ENV;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new CliError(`Bad environment variable name '${name}'`, 2);
  const value = env[name];
  if (value !== undefined && value !== '') return value;
  if (envName !== undefined) {
    throw new CliError(`Environment variable ${name} is not set (it must hold the key store URL)`);
  }
  return undefined;
}

function describe(error: unknown, storeSpec: string | undefined): string {
  if (error instanceof CliError) return error.message;
  if (isAuthError(error)) {
    if (error.reason === 'store-unavailable') {
      return `Key store unreachable: ${storeSpec === undefined ? 'unknown' : redactStore(storeSpec)}`;
    }
    return error.message;
  }
  return `Unexpected error: ${(error as Error)?.message ?? String(error)}`;
}
