/**
 * Every stable, machine-readable error reason with its HTTP status, in one table.
 *
 * Callers switch on `error.reason`, never on the message. Add a reason here, never inline.
 */
export const ERROR_REASONS = {
  // 400
  'bad-request': 400,
  'invalid-query': 400,
  'invalid-credentials-format': 400,
  'invalid-configuration': 400,
  'missing-package': 400,
  'invalid-body': 400,
  'invalid-redirect': 400,
  // 401
  'not-authenticated': 401,
  'no-credentials': 401,
  'invalid-credentials': 401,
  'strategy-not-allowed': 401,
  'entity-not-found': 401,
  'token-missing': 401,
  'token-malformed': 401,
  'token-expired': 401,
  'token-not-yet-valid': 401,
  'token-too-old': 401,
  'token-revoked': 401,
  'invalid-signature': 401,
  'algorithm-not-allowed': 401,
  'key-not-found': 401,
  'claim-invalid': 401,
  'session-expired': 401,
  'ambiguous-credentials': 401,
  'invalid-state': 401,
  // 403
  forbidden: 403,
  // 404
  'not-found': 404,
  // 405
  'method-not-allowed': 405,
  // 409
  conflict: 409,
  // 413
  'payload-too-large': 413,
  // 415
  'unsupported-media-type': 415,
  // 429
  'too-many-requests': 429,
  // 500
  'general-error': 500,
  // 503
  unavailable: 503,
  'store-unavailable': 503,
  'provider-unavailable': 503,
} as const;

/** A stable machine-readable error reason; see {@link ERROR_REASONS}. */
export type ErrorReason = keyof typeof ERROR_REASONS;
