import { deriveKek, type KekSpec } from '../keys/key-encryption-key.ts';
import { secretWeakness } from '../key-material/secret-weakness.ts';
import { CliError } from './cli-error.ts';

/** The variable `--kek-env` defaults to. @internal */
export const DEFAULT_KEK_ENV = 'ORG_KEYS_KEK';

/**
 * Reads KEK secrets from environment variables (never from the command line, where `ps` and shell
 * history would show them). The first is the current KEK; the others only open older records.
 * `<NAME>_ID`, when set, is the KEK id (the deployment's `kek.id`); otherwise the id derives from the
 * secret, as in the ring.
 * @throws CliError naming the variable (never its value) when one is unset, empty or malformed.
 * @internal
 */
export function readKeks(
  env: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
): KekSpec[] {
  return names.map((name) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new CliError(`Bad environment variable name '${name}'`, 2);
    const secret = env[name];
    if (secret === undefined || secret === '') {
      throw new CliError(`Environment variable ${name} is not set (it must hold the key-encryption secret)`);
    }
    // Checked here too, so the message names the variable rather than an internal setting path.
    const bytes = Buffer.byteLength(secret, 'utf8');
    if (bytes < 32)
      throw new CliError(`${name} holds ${bytes} bytes; the key-encryption secret needs at least 32`);
    const weakness = secretWeakness(Buffer.from(secret, 'utf8'));
    if (weakness !== undefined) throw new CliError(`${name} ${weakness}`);
    const id = env[`${name}_ID`];
    if (id === undefined || id === '') return { secret };
    try {
      deriveKek({ id, secret }, name);
    } catch {
      throw new CliError(`${name}_ID must be 1-64 characters of A-Z a-z 0-9 . _ -`);
    }
    return { id, secret };
  });
}
