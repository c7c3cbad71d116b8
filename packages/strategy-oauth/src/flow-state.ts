import type { Id } from '@org/core';

/**
 * What one login remembers between its start and its callback, sealed into the state cookie. Nothing
 * from the request's headers is ever part of it: only values the server chose or checked.
 */
export interface FlowState {
  /** The provider (strategy) name. */
  provider: string;
  /** The `state` sent to the provider (CSRF protection, RFC 6749 section 10.12). */
  state: string;
  /** The OpenID Connect `nonce` bound into the ID token, when the provider is OpenID Connect. */
  nonce?: string;
  /** The PKCE code verifier (RFC 7636). */
  verifier: string;
  /** The allowed origin the browser goes back to. */
  origin: string;
  /** The checked relative path on that origin. */
  path: string;
  /** When the login started, in milliseconds. */
  createdAt: number;
  /** The id of the logged-in user linking this provider, taken from a verified access token. */
  linkUserId?: Id;
}

const isString = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isId = (value: unknown): value is Id =>
  isString(value) || (typeof value === 'number' && Number.isSafeInteger(value));

/** The sealed form: short keys keep the cookie small. */
export function toSealed(flow: FlowState): Record<string, unknown> {
  return {
    p: flow.provider,
    s: flow.state,
    ...(flow.nonce === undefined ? {} : { n: flow.nonce }),
    v: flow.verifier,
    o: flow.origin,
    r: flow.path,
    t: flow.createdAt,
    ...(flow.linkUserId === undefined ? {} : { l: flow.linkUserId }),
  };
}

const KEYS = new Set(['p', 's', 'n', 'v', 'o', 'r', 't', 'l']);

/**
 * Reads a sealed record back, strictly: exactly the known keys with the right types, else `undefined`.
 * @param record - What the sealer opened.
 */
export function fromSealed(record: Record<string, unknown> | undefined): FlowState | undefined {
  if (record === undefined || Object.keys(record).some((key) => !KEYS.has(key))) return undefined;
  const { p, s, n, v, o, r, t, l } = record;
  if (!isString(p) || !isString(s) || !isString(v) || !isString(o) || !isString(r)) return undefined;
  if (n !== undefined && !isString(n)) return undefined;
  if (l !== undefined && !isId(l)) return undefined;
  if (typeof t !== 'number' || !Number.isSafeInteger(t)) return undefined;
  return {
    provider: p,
    state: s,
    verifier: v,
    origin: o,
    path: r,
    createdAt: t,
    ...(n === undefined ? {} : { nonce: n }),
    ...(l === undefined ? {} : { linkUserId: l }),
  };
}
