import { randomUUID } from 'node:crypto';
import { BadRequest } from '@org/core';
import { parseDuration } from '../shared/duration.ts';
import type { JwtSignOptions } from './options.ts';
import { findBadMemberName } from './strict-json.ts';

/**
 * The claims of a new token as JSON text: the payload, then `iat`, `exp` (now + `expiresIn`), `aud`, `iss`,
 * `jti` (a fresh UUID v4 unless `jwtid` is given), `sub` and `nbf` from the options, which replace the
 * payload's. With `maxLifetime` (a key ring's), a longer lifetime or payload `exp` is refused, not capped:
 * a caller asking for 90 days must learn it gets at most the ring's limit.
 * @throws BadRequest (`bad-request`) for a payload that is not JSON-serialisable, has a forbidden or
 * duplicate member name, or outlives `maxLifetime`.
 * @internal
 */
export function tokenClaimsJson(
  payload: Record<string, unknown>,
  o: JwtSignOptions,
  now: number,
  maxLifetime: number | undefined,
): string {
  const lifetime = parseDuration(o.expiresIn, 'expiresIn');
  if (maxLifetime !== undefined) {
    if (lifetime > maxLifetime) {
      throw new BadRequest(
        `Token lifetime (expiresIn ${lifetime} s) exceeds the key ring's maxTokenLifetime (${maxLifetime} s)`,
        { reason: 'bad-request' },
      );
    }
    if (typeof payload.exp === 'number' && payload.exp - now > maxLifetime) {
      throw new BadRequest(`Token exp is beyond the key ring's maxTokenLifetime (${maxLifetime} s)`, {
        reason: 'bad-request',
      });
    }
  }
  const claims: Record<string, unknown> = {
    ...payload,
    iat: now,
    exp: now + lifetime,
    aud: o.audience,
    iss: o.issuer,
    jti: o.jwtid ?? randomUUID(),
  };
  if (o.subject !== undefined) claims.sub = o.subject;
  if (o.notBefore !== undefined) claims.nbf = now + parseDuration(o.notBefore, 'notBefore');
  let json: string;
  try {
    json = JSON.stringify(claims);
  } catch {
    // A BigInt or a cycle: a caller's bug, reported as such rather than as a TypeError (a 500).
    throw new BadRequest('Token payload must be JSON-serialisable', { reason: 'bad-request' });
  }
  if (findBadMemberName(json) !== undefined) {
    throw new BadRequest('Token payload has a duplicate or forbidden member name', { reason: 'bad-request' });
  }
  return json;
}
