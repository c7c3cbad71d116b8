import { NotAuthenticated, type TokenRefresh } from '@org/core';

/** Claims the signer sets afresh on every token; a refresh never copies them from the old one. */
const REISSUED_CLAIMS = new Set(['iat', 'exp', 'nbf', 'jti', 'aud', 'iss', 'sub', 'auth_time']);

/** The inputs of {@link refreshClaims}, in the units the computation needs. */
export interface RefreshLimits {
  /** `refresh.maxSessionAge`, in milliseconds. */
  maxSessionAgeMs: number;
  /** The lifetime the new token would get (`expiresIn`), in seconds. */
  lifetime: number;
  /** The current time, in milliseconds. */
  now: number;
}

/**
 * The claims and signing options of the token that replaces `old` on refresh.
 *
 * The session start travels in `auth_time` (OIDC Core section 2 names it so); a token without one (the first
 * refresh of a login token, or a token Feathers issued) started its session at its `iat`. The new token keeps
 * the old one's own claims and `sub`, and never outlives `auth_time + maxSessionAge`.
 *
 * @param old - The verified payload of the token being refreshed.
 * @param limits - The session limit, the configured lifetime and the clock.
 * @throws NotAuthenticated `session-expired` at or past the session's end, or when the start is unknown.
 * @internal
 */
export function refreshClaims(old: Readonly<Record<string, unknown>>, limits: RefreshLimits): TokenRefresh {
  const start = typeof old.auth_time === 'number' ? old.auth_time : old.iat;
  if (typeof start !== 'number' || !Number.isFinite(start)) {
    throw new NotAuthenticated('Session expired', { reason: 'session-expired' });
  }
  const remaining = Math.floor((start * 1000 + limits.maxSessionAgeMs - limits.now) / 1000);
  if (remaining <= 0) throw new NotAuthenticated('Session expired', { reason: 'session-expired' });

  const payload: Record<string, unknown> = {};
  for (const [claim, value] of Object.entries(old)) {
    if (!REISSUED_CLAIMS.has(claim)) payload[claim] = value;
  }
  payload.auth_time = start;
  const options: Record<string, unknown> = {};
  if (typeof old.sub === 'string') options.subject = old.sub;
  if (limits.lifetime > remaining) options.expiresIn = remaining;
  return { payload, options };
}
