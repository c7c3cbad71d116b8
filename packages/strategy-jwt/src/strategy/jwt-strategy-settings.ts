import { configError, didYouMean } from '@org/core/internal';
import { parseDuration, type Duration } from '../shared/duration.ts';

/** The keys `authentication.jwt` accepts, as in Feathers. */
export const JWT_STRATEGY_KEYS = ['entity', 'entityId', 'service', 'header', 'schemes'] as const;

/**
 * The JWT strategy's own section (`authentication.jwt`), in Feathers' shape. Signing and verification
 * options live in `authentication.jwtOptions` and `authentication.verifyOptions`, never here.
 */
export interface JwtStrategyOptions {
  /**
   * The request header carrying the token, matched case-insensitively.
   * @defaultValue `'Authorization'`
   */
  header?: string;
  /**
   * The accepted schemes, matched exactly and case-insensitively.
   * @defaultValue `['Bearer', 'JWT']`
   */
  schemes?: string[];
  /**
   * The entity name on results and connections; `null` for stateless tokens.
   * @defaultValue `authentication.entity` (`'user'`)
   */
  entity?: string | null;
  /**
   * The path of the entity service.
   * @defaultValue `authentication.service`
   */
  service?: string;
  /**
   * The entity id field.
   * @defaultValue `authentication.entityId`
   */
  entityId?: string;
}

/** What happens to a realtime connection when its token expires. */
export type ExpiryAction = 'deauthenticate' | 'disconnect';

/** Realtime connection settings (`authentication.realtime`). */
export interface RealtimeOptions {
  /**
   * How long before `exp` the service emits `token-expiring`; `0` never warns.
   * @defaultValue `60` (seconds)
   */
  expiryWarning?: Duration;
  /**
   * At `exp`, remove the authentication from the connection (`'deauthenticate'`) or emit `disconnect`
   * with it, as Feathers does (`'disconnect'`).
   * @defaultValue `'deauthenticate'`
   */
  onExpiry?: ExpiryAction;
}

/** Refresh settings (`authentication.refresh`). */
export interface RefreshOptions {
  /**
   * The longest a session may be refreshed for, counted from the first login (`auth_time`).
   * @defaultValue `'30d'`
   */
  maxSessionAge?: Duration;
}

/** The realtime and refresh settings, validated and in milliseconds. */
export interface JwtStrategySettings {
  expiryWarningMs: number;
  onExpiry: ExpiryAction;
  maxSessionAgeMs: number;
}

const REALTIME_KEYS = ['expiryWarning', 'onExpiry'];
const REFRESH_KEYS = ['maxSessionAge'];
const DEFAULT_EXPIRY_WARNING = 60;
const DEFAULT_MAX_SESSION_AGE = '30d';

function section(
  configuration: Readonly<Record<string, any>>,
  name: string,
  keys: string[],
): Record<string, any> {
  const value: unknown = configuration[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw configError(`'authentication.${name}' must be an object`);
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) {
      const hint = didYouMean(key, keys);
      throw configError(
        `Unknown option 'authentication.${name}.${key}'.` +
          (hint === undefined ? '' : ` Did you mean '${hint}'?`),
      );
    }
  }
  return value as Record<string, any>;
}

/**
 * Reads and validates `authentication.realtime` and `authentication.refresh`.
 * @param configuration - The whole `authentication` section.
 * @throws BadRequest `invalid-configuration` with a did-you-mean hint.
 * @internal
 */
export function readJwtStrategySettings(configuration: Readonly<Record<string, any>>): JwtStrategySettings {
  const realtime = section(configuration, 'realtime', REALTIME_KEYS);
  const refresh = section(configuration, 'refresh', REFRESH_KEYS);
  const onExpiry: unknown = realtime.onExpiry ?? 'deauthenticate';
  if (onExpiry !== 'deauthenticate' && onExpiry !== 'disconnect') {
    throw configError(`'authentication.realtime.onExpiry' must be 'deauthenticate' or 'disconnect'`);
  }
  return {
    expiryWarningMs:
      parseDuration(
        realtime.expiryWarning ?? DEFAULT_EXPIRY_WARNING,
        'authentication.realtime.expiryWarning',
      ) * 1000,
    onExpiry,
    maxSessionAgeMs:
      parseDuration(
        refresh.maxSessionAge ?? DEFAULT_MAX_SESSION_AGE,
        'authentication.refresh.maxSessionAge',
      ) * 1000,
  };
}
