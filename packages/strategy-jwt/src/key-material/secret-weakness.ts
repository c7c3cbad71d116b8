/**
 * Secrets that appear in tutorials, generators and READMEs (jwt.io, Feathers, Express examples, our own
 * guides). Compared case-insensitively after trimming; long enough ones would otherwise pass the length rule.
 */
const WELL_KNOWN = new Set([
  'secret',
  'changeme',
  'change-me',
  'change_me',
  'password',
  'shhhhh',
  'shhhhhhared-secret',
  'your-256-bit-secret',
  'your-384-bit-secret',
  'your-512-bit-secret',
  'a-string-secret-at-least-256-bits-long',
  'supersecret',
  'super-secret',
  'i love feathers',
  'feathers',
  'feathers-secret',
  'mysecret',
  'my-secret',
  'secretkey',
  'secret-key',
  'jwt-secret',
  'jwtsecret',
  'keyboard cat',
  'this-is-a-very-long-secret-that-nobody-will-guess',
  '...at least 32 bytes...',
]);

/**
 * Why a secret (an HS key or a key-encryption secret) is unfit although long enough: a well-known example,
 * or one character repeated.
 * @param bytes - The secret.
 * @returns The reason, to follow the setting's name in an error (`'x' is a well-known example secret; ...`),
 * or `undefined`.
 * @internal
 */
export function secretWeakness(bytes: Uint8Array): string | undefined {
  const text = Buffer.from(bytes).toString('utf8').trim().toLowerCase();
  if (WELL_KNOWN.has(text))
    return 'is a well-known example secret; generate a random one (e.g. 64 random bytes)';
  if (bytes.length > 1 && bytes.every((b) => b === bytes[0]))
    return 'repeats one character; generate a random secret';
  return undefined;
}
