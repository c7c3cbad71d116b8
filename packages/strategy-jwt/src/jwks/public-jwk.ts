import type { JWK } from 'jose';

/**
 * The public members each key type may publish (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2), plus the
 * three metadata members we publish. An allow-list, not a deny-list: a member we do not know is
 * never served, so a future private member cannot leak by omission.
 */
const PUBLIC_MEMBERS = {
  RSA: ['kty', 'n', 'e'],
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
} as const satisfies Record<string, readonly string[]>;

const METADATA_MEMBERS = ['kid', 'alg', 'use'] as const;

/** The private (or secret) members that never leave the process, per RFC 7518 §6 and RFC 8037 §2. */
export const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/**
 * Reduces a JWK to its public members plus `kid`, `alg` and `use`.
 *
 * Returns `undefined` for a key that has nothing publishable: a symmetric (`oct`) key, an unknown
 * `kty`, or a key missing one of its public members.
 * @param jwk - Any JWK, public or private.
 * @returns A new object with only public members, or `undefined`.
 */
export function toPublicJwk(jwk: Readonly<JWK>): JWK | undefined {
  const kty = jwk.kty;
  if (typeof kty !== 'string' || !Object.hasOwn(PUBLIC_MEMBERS, kty)) return undefined;
  const out: Record<string, string> = {};
  for (const name of PUBLIC_MEMBERS[kty as keyof typeof PUBLIC_MEMBERS]) {
    const value = (jwk as Record<string, unknown>)[name];
    if (typeof value !== 'string' || value === '') return undefined;
    out[name] = value;
  }
  for (const name of METADATA_MEMBERS) {
    const value = (jwk as Record<string, unknown>)[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out as JWK;
}

/**
 * Reduces a JWK Set to its publishable keys (see {@link toPublicJwk}); keys with nothing public are dropped.
 * @param set - A JWK Set, possibly holding private or symmetric keys.
 * @returns A new set with only public members.
 */
export function toPublicJwks(set: { readonly keys: readonly Readonly<JWK>[] }): { keys: JWK[] } {
  const keys: JWK[] = [];
  for (const jwk of Array.isArray(set?.keys) ? set.keys : []) {
    const pub = jwk && typeof jwk === 'object' ? toPublicJwk(jwk) : undefined;
    if (pub) keys.push(pub);
  }
  return { keys };
}
