import { ERROR_REASONS, type ErrorReason } from './reasons.ts';

/** The JSON shape Feathers clients read from an error response. */
export interface ErrorJSON {
  /** Class name, e.g. `NotAuthenticated`. */
  name: string;
  /** Short, safe, human-readable message. */
  message: string;
  /** The HTTP status code. */
  code: number;
  /** Kebab-case class name, e.g. `not-authenticated`. */
  className: string;
  /** Extra data; always carries the stable `reason`. */
  data: Record<string, unknown> & { reason: ErrorReason };
}

/** Options accepted by every {@link AuthError} subclass. */
export interface AuthErrorOptions {
  /** A stable reason from {@link ERROR_REASONS}; defaults to the class's own reason. */
  reason?: ErrorReason;
  /** Extra, non-secret data sent to clients. */
  data?: Record<string, unknown>;
  /** The underlying error, kept server-side and never serialised. */
  cause?: unknown;
}

/**
 * The one base class for every error this toolkit throws.
 *
 * Serialises with {@link AuthError.toJSON} to Feathers' `{ name, message, code, className, data }`
 * so Feathers clients keep working. Messages MUST NOT contain tokens, passwords, secrets or keys.
 */
export class AuthError extends Error {
  /** The HTTP status code. */
  readonly code: number;
  /** Kebab-case class name, as Feathers sends it. */
  readonly className: string;
  /** A stable, machine-readable reason. */
  readonly reason: ErrorReason;
  /** Extra, non-secret data sent to clients, with the `reason`: exactly what {@link AuthError.toJSON} sends. */
  readonly data: Record<string, unknown> & { reason: ErrorReason };

  /**
   * @param name - The class name.
   * @param className - The kebab-case class name.
   * @param defaultReason - The reason used when none is given.
   * @param message - A short, safe message.
   * @param options - Reason, data and cause.
   */
  constructor(
    name: string,
    className: string,
    defaultReason: ErrorReason,
    message: string,
    options: AuthErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    this.className = className;
    this.reason = options.reason ?? defaultReason;
    this.code = ERROR_REASONS[this.reason];
    // The reason last: data cannot contradict it. Thrown and serialised, `data` is the same.
    this.data = { ...options.data, reason: this.reason };
  }

  /** The JSON shape Feathers clients read; the cause and stack never leave the server. */
  toJSON(): ErrorJSON {
    return {
      name: this.name,
      message: this.message,
      code: this.code,
      className: this.className,
      data: { ...this.data },
    };
  }
}

/** 400: the request is malformed (bad body, bad query value). */
export class BadRequest extends AuthError {
  /** @param message - A short, safe message. @param options - Reason, data and cause. */
  constructor(message = 'Bad request', options?: AuthErrorOptions) {
    super('BadRequest', 'bad-request', 'bad-request', message, options);
  }
}

/** 401: the caller is not (or no longer) authenticated. */
export class NotAuthenticated extends AuthError {
  /** @param message - A short, safe message. @param options - Reason, data and cause. */
  constructor(message = 'Not authenticated', options?: AuthErrorOptions) {
    super('NotAuthenticated', 'not-authenticated', 'not-authenticated', message, options);
  }
}

/** 403: authenticated, but not allowed. */
export class Forbidden extends AuthError {
  /** @param message - A short, safe message. @param options - Reason, data and cause. */
  constructor(message = 'Forbidden', options?: AuthErrorOptions) {
    super('Forbidden', 'forbidden', 'forbidden', message, options);
  }
}

/** 404: a record does not exist. */
export class NotFound extends AuthError {
  /** @param message - A short, safe message. @param options - Reason, data and cause. */
  constructor(message = 'Not found', options?: AuthErrorOptions) {
    super('NotFound', 'not-found', 'not-found', message, options);
  }
}

/** 405: the path exists, the method does not; `data.allow` lists the methods it answers. */
export class MethodNotAllowed extends AuthError {
  /** @param message - A short, safe message. @param options - Reason, data (`allow`) and cause. */
  constructor(message = 'Method not allowed', options?: AuthErrorOptions) {
    super('MethodNotAllowed', 'method-not-allowed', 'method-not-allowed', message, options);
  }
}

/** 409: a unique field already holds this value. */
export class Conflict extends AuthError {
  /** @param message - A short, safe message. @param options - Reason, data and cause. */
  constructor(message = 'Conflict', options?: AuthErrorOptions) {
    super('Conflict', 'conflict', 'conflict', message, options);
  }
}

/**
 * 413: the request body is larger than the configured limit. Feathers has no class for it (Express's
 * body parser answers 413 `PayloadTooLargeError`); the name and class name follow Feathers' pattern.
 */
export class PayloadTooLarge extends AuthError {
  /** @param message - A short, safe message. @param options - Reason, data and cause. */
  constructor(message = 'Payload too large', options?: AuthErrorOptions) {
    super('PayloadTooLarge', 'payload-too-large', 'payload-too-large', message, options);
  }
}

/** 415: the request body is not in a media type the endpoint reads (JSON). Not a Feathers class either. */
export class UnsupportedMediaType extends AuthError {
  /** @param message - A short, safe message. @param options - Reason, data and cause. */
  constructor(message = 'Unsupported media type', options?: AuthErrorOptions) {
    super('UnsupportedMediaType', 'unsupported-media-type', 'unsupported-media-type', message, options);
  }
}

/** 429: too many attempts; `data.retryAfter` says in how many seconds to try again. */
export class TooManyRequests extends AuthError {
  /** @param message - A short, safe message. @param options - Reason, data (`retryAfter`) and cause. */
  constructor(message = 'Too many requests', options?: AuthErrorOptions) {
    super('TooManyRequests', 'too-many-requests', 'too-many-requests', message, options);
  }
}

/** 500: anything unexpected; the cause stays server-side. */
export class GeneralError extends AuthError {
  /** @param message - A short, safe message. @param options - Reason, data and cause. */
  constructor(message = 'General error', options?: AuthErrorOptions) {
    super('GeneralError', 'general-error', 'general-error', message, options);
  }
}

/** 503: a store the request needs is down. */
export class Unavailable extends AuthError {
  /** @param message - A short, safe message. @param options - Reason, data and cause. */
  constructor(message = 'Service unavailable', options?: AuthErrorOptions) {
    super('Unavailable', 'unavailable', 'unavailable', message, options);
  }
}

/** True when `value` is an error of this toolkit (any subclass of {@link AuthError}). */
export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError;
}

/** The class for each HTTP status a foreign error may carry; any other status is a 500. */
const ERROR_CLASSES: Readonly<
  Record<number, new (message?: string, options?: AuthErrorOptions) => AuthError>
> = {
  400: BadRequest,
  401: NotAuthenticated,
  403: Forbidden,
  404: NotFound,
  405: MethodNotAllowed,
  409: Conflict,
  413: PayloadTooLarge,
  415: UnsupportedMediaType,
  429: TooManyRequests,
  503: Unavailable,
};

/**
 * Maps any thrown value to an {@link AuthError}: toolkit errors pass through; errors that carry a
 * Feathers-style numeric `code` (or, as Fastify's and http-errors' do, a numeric `statusCode`) of a
 * client error this toolkit knows keep their status and message; everything else becomes a 500
 * {@link GeneralError} with the original kept as `cause` (server-side only).
 */
export function toAuthError(value: unknown): AuthError {
  if (value instanceof AuthError) return value;
  const e = value as { code?: unknown; statusCode?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : undefined;
  const status = typeof e?.code === 'number' ? e.code : e?.statusCode;
  const ErrorClass = typeof status === 'number' ? ERROR_CLASSES[status] : undefined;
  if (ErrorClass === undefined) return new GeneralError('General error', { cause: value });
  return new ErrorClass(message, { cause: value });
}
