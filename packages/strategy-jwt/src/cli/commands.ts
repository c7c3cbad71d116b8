import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isAuthError } from '@org/core';
import { JWS_ALGORITHMS } from '../key-material/algorithms.ts';
import { resolveVerifyOptions } from '../token/options.ts';
import { deriveKeks } from '../keys/key-encryption-key.ts';
import { createKeyRing, type KeyRing } from '../keys/key-ring.ts';
import type { KeyStore } from '../keys/stores/key-store.ts';
import { importKeys } from '../keys/ring-key-import.ts';
import type { AsymmetricAlgorithm } from '../keys/signing-key-pair.ts';
import { verifyToken } from '../token/verify-token.ts';
import { assertScheduleMatches } from './check-schedule.ts';
import { CliError } from './cli-error.ts';
import { inspectStore, publishedJwks, publishedKeySource } from './inspect-store.ts';
import type { KekSpec } from '../keys/key-encryption-key.ts';
import { keyJson, keyTable, unreadableJson, unreadableTable } from './format.ts';
import { removeUnreadable } from './remove-unreadable.ts';
import type { ScheduleOptions } from './schedule-flags.ts';

/** Everything a command needs, resolved from the command line. @internal */
export interface CommandContext {
  store: KeyStore;
  keks: KekSpec[];
  alg: AsymmetricAlgorithm | undefined;
  /** The deployment's schedule settings from the command line (defaults where absent). */
  schedule: ScheduleOptions;
  json: boolean;
  args: readonly string[];
  flags: Readonly<Record<string, string | boolean | string[] | undefined>>;
  now: () => number;
  out: (text: string) => void;
  warn: (text: string) => void;
  readStdin: () => Promise<string>;
}

/** A command: runs and resolves the exit code. @internal */
export type Command = (ctx: CommandContext) => Promise<number>;

async function inspect(ctx: CommandContext) {
  const inspection = await inspectStore(ctx.store, deriveKeks(ctx.keks, '--kek-env'), ctx.now());
  for (const f of inspection.failures) ctx.warn(`warning: record ${f.id} ignored (${f.reason})`);
  return inspection;
}

/**
 * Opens a ring after checking that the KEK opens what the store already holds and that the schedule
 * is not shorter than the one its keys were made with (the ring writes with these settings).
 */
async function ring(ctx: CommandContext): Promise<KeyRing> {
  const inspection = await inspect(ctx);
  const created = createKeyRing({
    ...ctx.schedule,
    kek: ctx.keks,
    store: ctx.store,
    now: ctx.now,
    ...(ctx.alg !== undefined && { algorithm: ctx.alg }),
  });
  assertScheduleMatches(inspection, created.settings);
  await created.refresh();
  return created;
}

async function report(
  ctx: CommandContext,
  message: string,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const inspection = await inspect(ctx);
  const unreadable = inspection.failures;
  if (ctx.json) {
    const shown = unreadable.length > 0 ? { unreadable: unreadable.map(unreadableJson) } : {};
    ctx.out(JSON.stringify({ ...extra, keys: inspection.keys.map(keyJson), ...shown }, null, 2));
  } else {
    const extraTable = unreadable.length > 0 ? `\n\n${unreadableTable(unreadable)}` : '';
    ctx.out(`${message}\n\n${keyTable(inspection.keys)}${extraTable}`);
  }
  return 0;
}

function positional(ctx: CommandContext, name: string): string {
  const value = ctx.args[0];
  if (value === undefined || value === '') throw new CliError(`Missing <${name}>`, 2);
  if (ctx.args.length > 1) throw new CliError(`Unexpected argument '${ctx.args[1]}'`, 2);
  return value;
}

function noPositional(ctx: CommandContext): void {
  if (ctx.args.length > 0) throw new CliError(`Unexpected argument '${ctx.args[0]}'`, 2);
}

/**
 * Writes `path` without following a symlink or writing through a file someone else prepared there: the
 * text goes to a new file created exclusively beside it, which then replaces `path` (a rename replaces a
 * symlink itself, never its target).
 */
async function replaceFile(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { flag: 'wx', mode: 0o644 });
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new CliError(`Cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? 'write error'}`);
  }
}

/** The commands, by name. @internal */
export const COMMANDS: Record<string, { summary: string; run: Command }> = {
  generate: {
    summary: 'create the current and the next scheduled key when missing (idempotent)',
    async run(ctx) {
      noPositional(ctx);
      const r = await ring(ctx);
      const active = (await r.getSigningKey()).kid;
      return report(ctx, `Active signing key: ${active}`, { active });
    },
  },
  list: {
    summary: 'list the keys and their states (read-only)',
    async run(ctx) {
      noPositional(ctx);
      return report(ctx, 'Keys:');
    },
  },
  rotate: {
    summary: 'start a new key now (signs after pre-publication, or at once with --immediate)',
    async run(ctx) {
      noPositional(ctx);
      const r = await ring(ctx);
      const kid = await r.rotate({ immediate: ctx.flags.immediate === true });
      return report(
        ctx,
        kid === undefined
          ? 'No rotation needed: the next scheduled key takes over sooner.'
          : `New key: ${kid}`,
        { rotated: kid ?? null },
      );
    },
  },
  revoke: {
    summary: 'revoke a key at once (leaves the JWKS; a replacement signs at once if it was signing)',
    async run(ctx) {
      const kid = positional(ctx, 'kid');
      const r = await ring(ctx);
      try {
        await r.revoke(kid);
      } catch (error) {
        if (isAuthError(error) && error.reason === 'not-found')
          throw new CliError(`No key with kid '${kid}' in the store`);
        throw error;
      }
      return report(ctx, `Revoked key: ${kid}`, { revoked: kid });
    },
  },
  rewrap: {
    summary: 're-encrypt every record under the current KEK (old ones via --old-kek-env)',
    async run(ctx) {
      noPositional(ctx);
      const result = await (await ring(ctx)).rewrap();
      for (const f of result.failed) ctx.warn(`warning: record ${f.id} not rewrapped (${f.reason})`);
      if (ctx.json) ctx.out(JSON.stringify(result, null, 2));
      else
        ctx.out(
          `Rewrapped ${result.rewrapped} record(s); ${result.unchanged} already current; ${result.failed.length} failed.`,
        );
      return result.failed.length === 0 ? 0 : 1;
    },
  },
  'export-jwks': {
    summary: 'print the public JWK Set (or write it with --out FILE)',
    async run(ctx) {
      noPositional(ctx);
      const text = `${JSON.stringify(publishedJwks(await inspect(ctx)), null, 2)}\n`;
      const out = ctx.flags.out;
      if (typeof out === 'string') {
        await replaceFile(out, text);
        if (!ctx.json) ctx.out(`Wrote ${out}`);
      } else ctx.out(text.trimEnd());
      return 0;
    },
  },
  import: {
    summary: 'import verify-only keys from a PEM, JWK, JWK Set or node-jose key store file',
    async run(ctx) {
      const file = positional(ctx, 'file');
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new CliError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'read error'}`);
      }
      const r = await ring(ctx);
      let result;
      try {
        result = await importKeys(r, text);
      } catch (error) {
        if (isAuthError(error) && error.reason === 'invalid-configuration') {
          throw new CliError(`Bad key file ${file}: ${error.message}`);
        }
        throw error;
      }
      return report(
        ctx,
        `Imported ${result.imported.length} key(s); ${result.existing.length} already present.`,
        {
          ...result,
        },
      );
    },
  },
  'verify-token': {
    summary: 'verify a token against the published keys (pass - to read it from stdin)',
    async run(ctx) {
      const arg = positional(ctx, 'token');
      const token = (arg === '-' ? await ctx.readStdin() : arg).trim();
      const inspection = await inspect(ctx);
      const options = resolveVerifyOptions(
        {
          algorithms: JWS_ALGORITHMS.filter((a) => !a.startsWith('HS')),
          audience: typeof ctx.flags.audience === 'string' ? ctx.flags.audience : null,
          issuer: typeof ctx.flags.issuer === 'string' ? ctx.flags.issuer : null,
          typ: typeof ctx.flags.typ === 'string' ? ctx.flags.typ : false,
        },
        { algorithms: [], audience: [], issuer: '', typ: false },
        '--',
      );
      try {
        const { header, payload } = verifyToken(
          token,
          publishedKeySource(inspection),
          options,
          Math.floor(ctx.now() / 1000),
        );
        if (ctx.json) ctx.out(JSON.stringify({ valid: true, header, payload }, null, 2));
        else {
          const expires = new Date(payload.exp * 1000).toISOString();
          ctx.out(
            `Valid token (kid ${String(header.kid)}, ${String(header.alg)}), expires ${expires}\n${JSON.stringify(payload, null, 2)}`,
          );
        }
        return 0;
      } catch (error) {
        if (!isAuthError(error)) throw error;
        if (ctx.json)
          ctx.out(JSON.stringify({ valid: false, reason: error.reason, message: error.message }, null, 2));
        else ctx.warn(`Invalid token: ${error.message} (${error.reason})`);
        return 1;
      }
    },
  },
  'remove-unreadable': {
    summary: 'delete the records no given KEK opens (or those listed), printing each; --dry-run to preview',
    async run(ctx) {
      const inspection = await inspectStore(ctx.store, deriveKeks(ctx.keks, '--kek-env'), ctx.now());
      return removeUnreadable(
        {
          store: ctx.store,
          ids: ctx.args,
          dryRun: ctx.flags['dry-run'] === true,
          json: ctx.json,
          out: ctx.out,
          warn: ctx.warn,
        },
        inspection,
      );
    },
  },
};
