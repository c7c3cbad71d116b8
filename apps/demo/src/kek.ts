// The key-encryption key (KEK) that encrypts the key ring's private keys at rest. It is a secret, so it
// is never in the configuration, never committed and never printed: AUTH_KEK wins (every instance of a
// multi-instance deployment must have the same), otherwise a random one is generated on first start into
// <dataDir>/kek, readable by this user only.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configError } from '@org/core/internal';

const KEK_FILE = 'kek';
const MIN_BYTES = 32;

/** Where the KEK came from, for the start banner (never the KEK itself). */
export type KekSource = 'environment' | 'generated' | 'file';

/**
 * Reads the KEK from `AUTH_KEK`, or from `<dataDir>/kek`, generating that file (mode 0600) when missing.
 *
 * @param dataDir - The data folder (created when missing, mode 0700).
 * @param env - The environment.
 * @returns The secret and where it came from.
 * @throws BadRequest `invalid-configuration` when the KEK is shorter than 32 bytes, or the file is
 *   readable by others.
 */
export function loadKek(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): { secret: string; source: KekSource } {
  const fromEnv = env.AUTH_KEK;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (Buffer.byteLength(fromEnv) < MIN_BYTES) {
      throw configError(`AUTH_KEK must be at least ${MIN_BYTES} bytes (e.g. \`openssl rand -base64 32\`)`);
    }
    return { secret: fromEnv, source: 'environment' };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, KEK_FILE);
  try {
    // `wx`: never overwrite a KEK another process wrote first; the keys it encrypted would be lost.
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
    chmodSync(file, 0o600); // the umask may have narrowed it further, never widened: make it exact
    return { secret: readSecret(file), source: 'generated' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    throw configError(`${file} is readable by other users: run \`chmod 600 ${file}\``);
  }
  return { secret: readSecret(file), source: 'file' };
}

function readSecret(file: string): string {
  const secret = readFileSync(file, 'utf8').trim();
  if (Buffer.byteLength(secret) < MIN_BYTES) {
    throw configError(
      `${file} holds fewer than ${MIN_BYTES} bytes: delete it (and the key ring) to start afresh`,
    );
  }
  return secret;
}
