import { BadRequest, UnsupportedMediaType } from '@org/core';
import { parseRecordJson } from '@org/core/internal';

/** `application/json`, or a structured `+json` type (RFC 6839), with any parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Whether a `Content-Type` header names JSON. @param contentType - The header value. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  return type !== undefined && JSON_MEDIA_TYPE.test(type);
}

const unsupported = () =>
  new UnsupportedMediaType('The request body must be JSON (Content-Type: application/json)');

/**
 * Refuses a body that is declared as something other than JSON, before reading it.
 * @param contentType - The `Content-Type` header; none passes (an empty body is allowed to have none).
 * @throws UnsupportedMediaType `unsupported-media-type` (415).
 */
export function assertJsonContentType(contentType: string | undefined): void {
  if (contentType !== undefined && !isJsonMediaType(contentType)) throw unsupported();
}

/**
 * Parses a request body as a JSON object, dropping `__proto__`, `constructor` and `prototype` members at
 * every depth.
 *
 * @param bytes - The body.
 * @param contentType - The `Content-Type` header.
 * @returns A plain object.
 * @throws UnsupportedMediaType (415) for a non-empty body that is not declared as JSON.
 * @throws BadRequest `invalid-body` (400) for an empty body, invalid UTF-8 or JSON, or a non-object.
 */
export function parseJsonObject(bytes: Uint8Array, contentType: string | undefined): Record<string, unknown> {
  if (bytes.byteLength === 0) {
    throw new BadRequest('The request body must be a JSON object', { reason: 'invalid-body' });
  }
  if (!isJsonMediaType(contentType)) throw unsupported();
  let value: unknown;
  try {
    // Invariant 11: core's reviver drops __proto__, constructor and prototype at every depth.
    value = parseRecordJson(UTF8.decode(bytes));
  } catch {
    throw new BadRequest('The request body is not valid JSON', { reason: 'invalid-body' });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequest('The request body must be a JSON object', { reason: 'invalid-body' });
  }
  return value as Record<string, unknown>;
}
