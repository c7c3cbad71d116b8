import { NotAuthenticated } from '@org/core';
import type { ResolvedVerifyOptions } from './options.ts';

/** The claims of a verified token. */
export interface JwtPayload extends Record<string, unknown> {
  /** Expiry, seconds since the epoch (always present after verification). */
  exp: number;
  /** Issued at, seconds since the epoch. */
  iat?: number;
  /** Not before, seconds since the epoch. */
  nbf?: number;
  /** The subject: the entity id. */
  sub?: string;
  /** The audience(s). */
  aud?: string | string[];
  /** The issuer. */
  iss?: string;
  /** The token id (used by revocation). */
  jti?: string;
}

/**
 * A NumericDate as the ISO string a JSON client receives for jsonwebtoken's `Date` (`expiredAt`, `date`),
 * or nothing for a date JavaScript cannot represent.
 */
function isoDate(seconds: number): { at?: string } {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? {} : { at: date.toISOString() };
}

/**
 * `data` of the expiry and not-before errors, as Feathers sends jsonwebtoken's errors
 * (`{ name: 'TokenExpiredError', expiredAt }`, `{ name: 'NotBeforeError', date }`): clients branch on it
 * to refresh. Our `reason` stays beside it.
 */
function dateError(message: string, reason: 'token-expired' | 'token-not-yet-valid', seconds: number) {
  const { at } = isoDate(seconds);
  const data =
    reason === 'token-expired'
      ? { name: 'TokenExpiredError', ...(at !== undefined && { expiredAt: at }) }
      : { name: 'NotBeforeError', ...(at !== undefined && { date: at }) };
  return new NotAuthenticated(message, { reason, data });
}

function invalid(message: string): NotAuthenticated {
  return new NotAuthenticated(message, { reason: 'claim-invalid' });
}

function numericDate(payload: Record<string, unknown>, name: string): number | undefined {
  const value = payload[name];
  if (value === undefined) return undefined;
  // RFC 7519 section 2 NumericDate; JSON.parse turns 1e999 into Infinity, which is no date.
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`Invalid "${name}" claim`);
  return value;
}

/** jose's comparison: case-insensitive, an `application/` prefix ignored (RFC 7515 section 4.1.9). */
function normalizeTyp(value: string): string {
  return value.toLowerCase().replace(/^application\//, '');
}

/**
 * Validates the claims of a token whose signature already verified, in order: `typ` header, `exp`
 * (required, numeric; expired when `exp <= now - tolerance`, as jose counts), `nbf` and `iat` (refused
 * beyond the tolerance in the future), `maxTokenAge` (from `iat`, which it makes required), `iss`, `aud`.
 * @param payload - The decoded claims.
 * @param header - The decoded header (for `typ`).
 * @param options - The resolved verification options.
 * @param now - The current time in whole seconds.
 * @throws NotAuthenticated with reason `claim-invalid`, `token-expired`, `token-not-yet-valid` or `token-too-old`.
 * @internal
 */
export function validateClaims(
  payload: Record<string, unknown>,
  header: Record<string, unknown>,
  options: ResolvedVerifyOptions,
  now: number,
): asserts payload is JwtPayload {
  const tolerance = options.clockTolerance;
  if (options.typ !== undefined) {
    const typ = header.typ;
    if (
      typ === undefined
        ? options.requireTyp
        : // Equal text is the common case and needs no normalizing.
          typeof typ !== 'string' || (typ !== options.typ && normalizeTyp(typ) !== normalizeTyp(options.typ))
    ) {
      throw invalid('Invalid token type');
    }
  }
  const exp = numericDate(payload, 'exp');
  if (exp === undefined) throw invalid('Missing "exp" claim');
  if (exp <= now - tolerance) throw dateError('Token expired', 'token-expired', exp);
  const nbf = numericDate(payload, 'nbf');
  if (nbf !== undefined && nbf > now + tolerance) {
    throw dateError('Token not yet valid', 'token-not-yet-valid', nbf);
  }
  const iat = numericDate(payload, 'iat');
  if (iat !== undefined && iat > now + tolerance) {
    throw new NotAuthenticated('Token issued in the future', { reason: 'token-not-yet-valid' });
  }
  if (options.maxTokenAge !== undefined) {
    if (iat === undefined) throw invalid('Missing "iat" claim');
    if (now - iat - tolerance > options.maxTokenAge)
      throw new NotAuthenticated('Token too old', { reason: 'token-too-old' });
  }
  if (options.issuer !== undefined) {
    const iss = payload.iss;
    if (typeof iss !== 'string' || !options.issuer.includes(iss)) throw invalid('Invalid "iss" claim');
  }
  if (options.audience !== undefined) {
    const aud = payload.aud;
    const accepted = options.audience;
    const ok =
      typeof aud === 'string'
        ? accepted.includes(aud)
        : Array.isArray(aud) && aud.some((a) => typeof a === 'string' && accepted.includes(a));
    if (!ok) throw invalid('Invalid "aud" claim');
  }
}

/** Whole seconds from `from` to `until`, both included. @internal */
export interface TimeSpan {
  from: number;
  until: number;
}

/**
 * The span of whole seconds in which every time check of {@link validateClaims} (`exp`, `nbf`, `iat`,
 * `maxTokenAge`, with the clock tolerance) certainly passes for claims that passed it once: `from <= now
 * <= until`. It is one second narrower at each end than the checks themselves, so that no rounding of
 * a fractional claim or tolerance can widen it; a `now` outside it is not necessarily invalid, only to be
 * checked in full. The verified-token cache re-checks a hit against it and calls `validateClaims` outside it.
 * @param payload - Claims that passed `validateClaims` with `options`.
 * @param options - The resolved verification options.
 * @internal
 */
export function certainlyValidSpan(payload: JwtPayload, options: ResolvedVerifyOptions): TimeSpan {
  const tolerance = options.clockTolerance;
  const { exp, nbf, iat } = payload;
  let from = -Infinity;
  if (typeof nbf === 'number') from = nbf - tolerance + 1;
  if (typeof iat === 'number') from = Math.max(from, iat - tolerance + 1);
  let until = typeof exp === 'number' ? exp + tolerance - 1 : -Infinity;
  if (options.maxTokenAge !== undefined) {
    // Without `iat` the checks refuse the token: an empty span.
    until = typeof iat === 'number' ? Math.min(until, iat + tolerance + options.maxTokenAge - 1) : -Infinity;
  }
  return { from, until };
}
