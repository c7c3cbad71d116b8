import { errorResponse } from '@org/core';

/**
 * A response, host-neutral: every adapter writes it as it is. Header names are lower case; a header
 * given as an array is sent once per value (`set-cookie`).
 */
export interface HttpResponse {
  /** The HTTP status. */
  status: number;
  /** The headers, by lower-case name. */
  headers?: Readonly<Record<string, string | readonly string[]>>;
  /** The body: text, or bytes. Omitted for none. */
  body?: string | Uint8Array;
}

/** The redirect statuses {@link redirectResponse} sends. */
export type RedirectStatus = 301 | 302 | 303 | 307 | 308;

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * A JSON response.
 *
 * @param status - The HTTP status.
 * @param value - Anything `JSON.stringify` accepts.
 * @param headers - More headers (lower-case names).
 * @returns The response, with `content-type: application/json; charset=utf-8`.
 * @example
 * ```ts
 * return jsonResponse(200, { ok: true }, { 'cache-control': 'no-store' });
 * ```
 */
export function jsonResponse(
  status: number,
  value: unknown,
  headers: Readonly<Record<string, string | readonly string[]>> = {},
): HttpResponse {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: JSON.stringify(value) };
}

/**
 * A redirect. Where it may point is the caller's decision: compare a target taken from a request with
 * the allowed origins (parsed with `new URL`) before redirecting there, and never put a token in it.
 *
 * @param location - The target (absolute URL, or a path on this origin).
 * @param status - 302 by default; 303 after a POST; 307/308 keep the method.
 * @param headers - More headers, e.g. `{ 'set-cookie': [serializeCookie(...)] }`.
 * @returns The response, with `cache-control: no-store`.
 * @example
 * ```ts
 * return redirectResponse('/app', 303, { 'set-cookie': serializeCookie('oauth_state', '', { maxAge: 0 }) });
 * ```
 */
export function redirectResponse(
  location: string,
  status: RedirectStatus = 302,
  headers: Readonly<Record<string, string | readonly string[]>> = {},
): HttpResponse {
  return { status, headers: { location, 'cache-control': 'no-store', ...headers } };
}

/**
 * The response for any thrown value, in Feathers' error JSON: an `AuthError` keeps its status, message
 * and data; anything else is a 500 `GeneralError` whose cause never leaves the server. A 401 carries
 * the RFC 6750 `WWW-Authenticate` challenge, a 405 `Allow`, a 429 `Retry-After`. The bytes of core's
 * `errorResponse`, for use in your own routes on any host.
 *
 * @param error - Whatever was thrown.
 * @param realm - The RFC 6750 realm (`'api'` when not given).
 * @returns The response.
 * @example
 * ```ts
 * const { status, headers, body } = httpErrorResponse(new NotFound('No such message'));
 * ```
 */
export function httpErrorResponse(error: unknown, realm?: string): HttpResponse {
  const { status, headers, body } = errorResponse(error, realm);
  return { status, headers, body: JSON.stringify(body) };
}
