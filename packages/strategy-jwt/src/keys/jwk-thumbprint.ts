import { createHash } from 'node:crypto';

/** The members RFC 7638 section 3.2 hashes for each key type, already in lexicographic order. */
const THUMBPRINT_MEMBERS = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
} as const;

/**
 * The RFC 7638 SHA-256 thumbprint of a public JWK, base64url-encoded: the key ring's `kid`.
 *
 * Synchronous (node:crypto) so that loading and importing keys need no extra await; a test holds it
 * equal to `jose`'s `calculateJwkThumbprint`.
 * @param jwk - A public (or private; only public members are hashed) EC, OKP or RSA JWK.
 * @returns The thumbprint, or `undefined` when the JWK has no supported `kty` or misses a required member.
 * @internal
 */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const kty = jwk.kty;
  if (typeof kty !== 'string' || !Object.hasOwn(THUMBPRINT_MEMBERS, kty)) return undefined;
  const parts: string[] = [];
  for (const name of THUMBPRINT_MEMBERS[kty as keyof typeof THUMBPRINT_MEMBERS]) {
    const value = jwk[name];
    if (typeof value !== 'string' || value === '') return undefined;
    // JSON.stringify of a string is RFC 8259 canonical for the base64url and curve names that occur here.
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  }
  return createHash('sha256')
    .update(`{${parts.join(',')}}`)
    .digest('base64url');
}
