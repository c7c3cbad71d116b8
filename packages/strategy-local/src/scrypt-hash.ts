/** The scrypt cost parameters carried in a hash string. */
export interface ScryptParameters {
  /** log2 of the CPU/memory cost N. */
  logN: number;
  /** The block size r. */
  blockSize: number;
  /** The parallelization p. */
  parallelization: number;
}

/** A parsed `$scrypt$` hash string. */
export interface ScryptHash {
  /** The parameters it was written with. */
  params: ScryptParameters;
  /** The salt. */
  salt: Buffer;
  /** The derived key. */
  key: Buffer;
}

// PHC string format: standard base64 alphabet, no padding; parameters in a fixed order so the
// string of one (params, salt, key) triple is unique.
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/**
 * Writes the PHC string `$scrypt$ln=<logN>,r=<r>,p=<p>$<salt>$<key>`.
 * @param params - The scrypt parameters.
 * @param salt - The salt.
 * @param key - The derived key.
 */
export function formatScryptHash(params: ScryptParameters, salt: Buffer, key: Buffer): string {
  const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=${params.logN},r=${params.blockSize},p=${params.parallelization}$${b64(salt)}$${b64(key)}`;
}

/**
 * Reads a PHC string written by {@link formatScryptHash}.
 * @param hash - The stored string.
 * @returns The parts, or `undefined` when it is not a well-formed `$scrypt$` hash.
 */
export function parseScryptHash(hash: string): ScryptHash | undefined {
  const match = PHC.exec(hash);
  if (match === null) return undefined;
  const [, ln, r, p, salt, key] = match as unknown as [string, string, string, string, string, string];
  const saltBytes = decodeCanonical(salt);
  const keyBytes = decodeCanonical(key);
  if (saltBytes === undefined || keyBytes === undefined) return undefined;
  return {
    params: { logN: Number(ln), blockSize: Number(r), parallelization: Number(p) },
    salt: saltBytes,
    key: keyBytes,
  };
}

function decodeCanonical(text: string): Buffer | undefined {
  // A length of 4k+1 cannot come from whole bytes; Node would silently drop the extra character.
  if (text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === text ? bytes : undefined;
}
