import { configError, didYouMean } from '@org/core/internal';
import { isJwsAlgorithm, JWS_ALGORITHMS, type JwsAlgorithm } from '../key-material/algorithms.ts';
import { parseDuration, type Duration } from '../shared/duration.ts';
import { REFUSED_HEADERS } from './verify-jws.ts';

/** Signing options (`authentication.jwtOptions`), Feathers' shape. */
export interface JwtSignOptions {
  /**
   * Extra JOSE header members. `alg` and `kid` are always set by the signer.
   * @defaultValue `{ typ: 'access' }`
   */
  header: Record<string, unknown>;
  /** The `aud` claim. @defaultValue `'https://yourdomain.com'` */
  audience: string | string[];
  /** The `iss` claim. @defaultValue `'feathers'` */
  issuer: string;
  /** The signing algorithm. @defaultValue `'HS256'` with a secret; the key's own algorithm for a private key (RS256, ES256/384/512, EdDSA) */
  algorithm: JwsAlgorithm;
  /**
   * Lifetime: seconds, or `'1d'`, `'2h'`, `'30m'`, `'60s'`.
   * @defaultValue `'1d'`
   */
  expiresIn: Duration;
  /** The `sub` claim (the entity id on login). */
  subject?: string;
  /** The `jti` claim. @defaultValue a fresh UUID v4 per token */
  jwtid?: string;
  /** Delay before the token becomes valid (`nbf`), as a duration. */
  notBefore?: Duration;
}

/** Verification options (`authentication.verifyOptions`), separate from the signing ones. */
export interface JwtVerifyOptions {
  /** The algorithm allow-list; the token's `alg` never widens it. @defaultValue `[jwtOptions.algorithm]` */
  algorithms: JwsAlgorithm[];
  /**
   * Feathers' singular form: `algorithm: 'HS256'` is `algorithms: ['HS256']`. Given with `algorithms`, it
   * must be one of them.
   */
  algorithm?: JwsAlgorithm;
  /** Accepted `aud` values; `null` skips the check. @defaultValue `jwtOptions.audience` */
  audience: string | string[] | null;
  /** Accepted `iss` values; `null` skips the check. @defaultValue `jwtOptions.issuer` */
  issuer: string | string[] | null;
  /** Leeway for `exp`, `nbf` and `iat`, at most 300 seconds. @defaultValue `0` */
  clockTolerance: Duration;
  /** Maximum age counted from `iat` (which then becomes required). @defaultValue none */
  maxTokenAge?: Duration;
  /** Expected header `typ` (compared as jose does: case-insensitive, `application/` prefix ignored); `false` skips it. @defaultValue `jwtOptions.header.typ` or `'access'` */
  typ: string | false;
  /** When false, a token without `typ` passes (a different `typ` still fails). @defaultValue `true` */
  requireTyp: boolean;
  /**
   * Checks RS, PS, ES and EdDSA signatures on libuv's thread pool (the callback form of `crypto.verify`)
   * instead of on the event loop; HMAC stays synchronous. Every other check is unchanged. Worth it when
   * asymmetric verification dominates a busy event loop and cores are idle; each verification then costs
   * a thread-pool hop, and shares the pool (`UV_THREADPOOL_SIZE`, 4 by default) with file and DNS work.
   * See docs/jwt-verification.md, "Verifying on the thread pool".
   * @defaultValue `false`
   */
  offloadSignature?: boolean;
}

/** Verification options after validation: durations in seconds, lists as arrays. @internal */
export interface ResolvedVerifyOptions {
  algorithms: ReadonlySet<JwsAlgorithm>;
  audience: readonly string[] | undefined;
  issuer: readonly string[] | undefined;
  clockTolerance: number;
  maxTokenAge: number | undefined;
  typ: string | undefined;
  requireTyp: boolean;
  offloadSignature: boolean;
}

/** Feathers' `jwtOptions` defaults. */
export const DEFAULT_JWT_OPTIONS: Readonly<JwtSignOptions> = Object.freeze({
  header: Object.freeze({ typ: 'access' }),
  audience: 'https://yourdomain.com',
  issuer: 'feathers',
  algorithm: 'HS256',
  expiresIn: '1d',
});

/** The largest accepted `clockTolerance`, in seconds. */
export const MAX_CLOCK_TOLERANCE = 300;

const SIGN_KEYS = ['header', 'audience', 'issuer', 'algorithm', 'expiresIn', 'subject', 'jwtid', 'notBefore'];
const VERIFY_KEYS = [
  'algorithms',
  'algorithm',
  'audience',
  'issuer',
  'clockTolerance',
  'maxTokenAge',
  'typ',
  'requireTyp',
  'offloadSignature',
];
/** Verification-only names people carry over from jsonwebtoken/Feathers' single options object. */
const VERIFY_ONLY = [
  'algorithms',
  'clockTolerance',
  'maxAge',
  'maxTokenAge',
  'ignoreExpiration',
  'ignoreNotBefore',
  'clockTimestamp',
  'typ',
  'requireTyp',
];

function checkKeys(
  options: object,
  known: string[],
  setting: string,
  hint?: (key: string) => string | undefined,
): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const extra = hint?.(key);
    const guess = didYouMean(key, known);
    throw configError(
      `Unknown option '${setting}.${key}'.` +
        (extra ?? (guess ? ` Did you mean '${setting}.${guess}'?` : ` Known options: ${known.join(', ')}.`)),
    );
  }
}

function checkAlgorithm(value: unknown, setting: string): JwsAlgorithm {
  if (isJwsAlgorithm(value)) return value;
  const guess = typeof value === 'string' ? didYouMean(value, JWS_ALGORITHMS) : undefined;
  throw configError(
    `'${setting}' must be one of ${JWS_ALGORITHMS.join(', ')}` + (guess ? `. Did you mean '${guess}'?` : ''),
  );
}

function stringList(value: unknown, setting: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((v) => typeof v === 'string' && v.length > 0)) {
    throw configError(`'${setting}' must be a non-empty string or a non-empty array of strings`);
  }
  return list as string[];
}

/**
 * Validates signing options (`jwtOptions`) merged over Feathers' defaults. Verification settings found
 * here are refused with a pointer to `verifyOptions`.
 * @internal
 */
export function resolveSignOptions(
  options: Partial<JwtSignOptions> | undefined,
  defaultAlgorithm: JwsAlgorithm,
  setting = 'authentication.jwtOptions',
): JwtSignOptions {
  const given = options ?? {};
  if (given === null || typeof given !== 'object') throw configError(`'${setting}' must be an object`);
  checkKeys(given, SIGN_KEYS, setting, (key) =>
    VERIFY_ONLY.includes(key) ? ` Did you mean to set it in 'authentication.verifyOptions'?` : undefined,
  );
  const merged = {
    ...DEFAULT_JWT_OPTIONS,
    algorithm: defaultAlgorithm,
    ...stripUndefined(given),
  } as JwtSignOptions;
  merged.algorithm = checkAlgorithm(merged.algorithm, `${setting}.algorithm`);
  if (merged.header === null || typeof merged.header !== 'object' || Array.isArray(merged.header)) {
    throw configError(`'${setting}.header' must be an object`);
  }
  for (const name of REFUSED_HEADERS) {
    if (Object.hasOwn(merged.header, name))
      throw configError(
        `'${setting}.header.${name}' is not supported: the verifier refuses tokens carrying it`,
      );
  }
  stringList(merged.audience, `${setting}.audience`);
  if (typeof merged.issuer !== 'string' || merged.issuer === '')
    throw configError(`'${setting}.issuer' must be a non-empty string`);
  if (parseDuration(merged.expiresIn, `${setting}.expiresIn`) <= 0)
    throw configError(`'${setting}.expiresIn' must be positive`);
  if (merged.notBefore !== undefined) parseDuration(merged.notBefore, `${setting}.notBefore`);
  for (const key of ['subject', 'jwtid'] as const) {
    if (merged[key] !== undefined && typeof merged[key] !== 'string')
      throw configError(`'${setting}.${key}' must be a string`);
  }
  return merged;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Validates verification options (`verifyOptions`), with defaults derived from the signing options.
 * @internal
 */
export function resolveVerifyOptions(
  options: Partial<JwtVerifyOptions> | undefined,
  defaults: {
    algorithms: readonly JwsAlgorithm[];
    audience: string | string[];
    issuer: string;
    typ: unknown;
  },
  setting = 'authentication.verifyOptions',
): ResolvedVerifyOptions {
  const given = options ?? {};
  if (given === null || typeof given !== 'object') throw configError(`'${setting}' must be an object`);
  checkKeys(given, VERIFY_KEYS, setting, (key) =>
    key === 'maxAge' ? ` Did you mean '${setting}.maxTokenAge'?` : undefined,
  );
  const o = stripUndefined(given);
  if (o.algorithm !== undefined) {
    const single = checkAlgorithm(o.algorithm, `${setting}.algorithm`);
    if (o.algorithms !== undefined && !(Array.isArray(o.algorithms) && o.algorithms.includes(single))) {
      throw configError(`'${setting}.algorithm' (${single}) is not in '${setting}.algorithms'`);
    }
    o.algorithms ??= [single];
  }
  const algorithmsValue = o.algorithms ?? defaults.algorithms;
  if (!Array.isArray(algorithmsValue) || algorithmsValue.length === 0) {
    throw configError(`'${setting}.algorithms' must be a non-empty array`);
  }
  const algorithms = new Set(algorithmsValue.map((a, i) => checkAlgorithm(a, `${setting}.algorithms[${i}]`)));
  const audience =
    o.audience === null ? undefined : stringList(o.audience ?? defaults.audience, `${setting}.audience`);
  const issuer = o.issuer === null ? undefined : stringList(o.issuer ?? defaults.issuer, `${setting}.issuer`);
  const clockTolerance = parseDuration(o.clockTolerance ?? 0, `${setting}.clockTolerance`);
  if (clockTolerance > MAX_CLOCK_TOLERANCE) {
    throw configError(
      `'${setting}.clockTolerance' is ${clockTolerance} s; at most ${MAX_CLOCK_TOLERANCE} s (5 minutes) is accepted`,
    );
  }
  const maxTokenAge =
    o.maxTokenAge === undefined ? undefined : parseDuration(o.maxTokenAge, `${setting}.maxTokenAge`);
  const typValue = o.typ ?? (typeof defaults.typ === 'string' ? defaults.typ : 'access');
  if (typValue !== false && (typeof typValue !== 'string' || typValue === '')) {
    throw configError(`'${setting}.typ' must be a non-empty string or false`);
  }
  const requireTyp = o.requireTyp ?? true;
  if (typeof requireTyp !== 'boolean') throw configError(`'${setting}.requireTyp' must be a boolean`);
  const offloadSignature = o.offloadSignature ?? false;
  if (typeof offloadSignature !== 'boolean')
    throw configError(`'${setting}.offloadSignature' must be a boolean`);
  return {
    algorithms,
    audience,
    issuer,
    clockTolerance,
    maxTokenAge,
    typ: typValue === false ? undefined : typValue,
    requireTyp,
    offloadSignature,
  };
}
