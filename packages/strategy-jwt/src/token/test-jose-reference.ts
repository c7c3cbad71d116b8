import { jwtVerify, type JWTVerifyOptions } from 'jose';
import type { VerificationKeySource } from '../key-material/key-source.ts';
import type { ResolvedVerifyOptions } from './options.ts';

/** jose's verdict on one token. */
export type ReferenceVerdict = { ok: true; payload: Record<string, unknown> } | { ok: false; code: string };

/**
 * The reference path for the differential test: jose's `jwtVerify` with options equivalent to ours
 * (same allow-list, audience, issuer, tolerance, maxTokenAge, `typ`, `exp` required, same clock) and
 * the same key source. Test support only; not exported from the package.
 */
export async function joseReferenceVerify(
  token: string,
  source: VerificationKeySource,
  options: ResolvedVerifyOptions,
  nowMs: number,
): Promise<ReferenceVerdict> {
  const joseOptions: JWTVerifyOptions = {
    algorithms: [...options.algorithms],
    requiredClaims: ['exp'],
    clockTolerance: options.clockTolerance,
    currentDate: new Date(nowMs),
  };
  if (options.audience !== undefined) joseOptions.audience = [...options.audience];
  if (options.issuer !== undefined) joseOptions.issuer = [...options.issuer];
  if (options.maxTokenAge !== undefined) joseOptions.maxTokenAge = options.maxTokenAge;
  if (options.typ !== undefined) joseOptions.typ = options.typ;
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const kid = typeof header.kid === 'string' ? header.kid : undefined;
        const resolved = source.resolve(
          kid === undefined ? { alg: String(header.alg) } : { alg: String(header.alg), kid },
        );
        if (!resolved) throw Object.assign(new Error('no key'), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
        return resolved.key;
      },
      joseOptions,
    );
    return { ok: true, payload };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, code: typeof code === 'string' ? code : String(error) };
  }
}
