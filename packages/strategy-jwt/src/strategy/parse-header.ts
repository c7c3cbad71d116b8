import { NotAuthenticated } from '@org/core';

/**
 * The part of a request the header parser reads: a Node `IncomingMessage` (its `headers`,
 * `rawHeaders` and `url`) or a Fetch `Request` (its `Headers` and absolute `url`).
 */
export type HeaderSource =
  | {
      headers?: Record<string, string | string[] | undefined>;
      rawHeaders?: readonly string[];
      url?: string;
    }
  | { headers: FetchHeaders; url?: string };

/** The one method of a Fetch `Headers` object the parser uses. */
export interface FetchHeaders {
  /** The header's value, duplicates joined with `, ` as the Fetch standard does; `null` when absent. */
  get(name: string): string | null;
}

/** Where and how {@link readAccessToken} looks for a token. */
export interface ReadAccessTokenOptions {
  /** The header name, matched case-insensitively. */
  header: string;
  /** The accepted schemes, matched exactly and case-insensitively. */
  schemes: readonly string[];
}

/** The query parameter RFC 6750 section 2.3 defines; we never read a token from it (URLs get logged). */
const QUERY_PARAMETER = 'access_token';

/** Tokens are base64url segments joined by dots: neither whitespace nor a comma is ever part of one. */
const WHITESPACE = /\s/;

function isFetchHeaders(headers: unknown): headers is FetchHeaders {
  return typeof (headers as { get?: unknown } | null)?.get === 'function';
}

/**
 * Every value of `name` the request carries, one entry per header line.
 *
 * Node keeps only the first `Authorization` line in `req.headers` and drops the others, so the raw
 * header list is read when present: a second line is a second credential, not noise.
 */
function headerValues(req: HeaderSource, name: string): string[] {
  const lower = name.toLowerCase();
  const { headers } = req;
  if (isFetchHeaders(headers)) {
    const value = headers.get(lower);
    return value === null ? [] : [value];
  }
  const raw = (req as { rawHeaders?: unknown }).rawHeaders;
  if (Array.isArray(raw)) {
    const values: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const key: unknown = raw[i];
      const value: unknown = raw[i + 1];
      // The length test first: most header names are not ours, and need no lower-cased copy.
      if (
        typeof key === 'string' &&
        key.length === lower.length &&
        typeof value === 'string' &&
        key.toLowerCase() === lower
      ) {
        values.push(value);
      }
    }
    return values;
  }
  const value = headers?.[lower];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

function hasQueryToken(req: HeaderSource): boolean {
  const { url } = req;
  if (typeof url !== 'string' || !url.includes(QUERY_PARAMETER)) return false;
  try {
    return new URL(url, 'http://localhost').searchParams.has(QUERY_PARAMETER);
  } catch {
    return false;
  }
}

/** Whether `word` is one of `schemes`, case-insensitively (no lower-cased copy of the list per request). */
function isScheme(schemes: readonly string[], word: string): boolean {
  // The exact spelling first (`Bearer`): no lower-cased copies on the common request.
  for (const scheme of schemes) if (scheme === word) return true;
  const lower = word.toLowerCase();
  for (const scheme of schemes) {
    if (scheme.length === word.length && scheme.toLowerCase() === lower) return true;
  }
  return false;
}

function ambiguous(): NotAuthenticated {
  return new NotAuthenticated('More than one access token in the request', {
    reason: 'ambiguous-credentials',
  });
}

/**
 * Reads the one access token a request carries in the configured header.
 *
 * - `<scheme> <token>` with a configured scheme (exact, case-insensitive: `MyBearerX` is not `Bearer`);
 * - a bare token without a scheme, as Feathers accepts it;
 * - a configured scheme alone (`Bearer`, `Bearer   `) is no token: resolves with `null` where Feathers
 *   would take the word `Bearer` itself as the token;
 * - another scheme (`Basic ...`) is left for another strategy: `null`.
 *
 * @param req - A Node `IncomingMessage` or a Fetch `Request`.
 * @param options - The header name and the accepted schemes.
 * @returns The token, or `null` when the request carries none for this strategy.
 * @throws NotAuthenticated `token-malformed` for `Bearer a b`; `ambiguous-credentials` for a token sent
 *   twice: two header lines, comma-joined duplicates (`Bearer a, Bearer b`), or the header plus an
 *   `access_token` query parameter.
 */
export function readAccessToken(req: HeaderSource, options: ReadAccessTokenOptions): string | null {
  let value: string | undefined;
  for (const line of headerValues(req, options.header)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (value !== undefined) throw ambiguous();
    value = trimmed;
  }
  if (value === undefined) return null;

  const space = value.search(WHITESPACE);
  const first = space === -1 ? value : value.slice(0, space);
  const rest = space === -1 ? '' : value.slice(space).trim();
  const { schemes } = options;
  let token: string;

  if (isScheme(schemes, first)) {
    if (rest === '') return null;
    if (rest.includes(',')) throw ambiguous();
    if (WHITESPACE.test(rest)) {
      throw new NotAuthenticated('Malformed authorization header', { reason: 'token-malformed' });
    }
    token = rest;
  } else if (rest === '') {
    if (first.includes(',')) throw ambiguous();
    token = first;
  } else if (first.includes(',')) {
    // `tokenA, tokenB`: two bare tokens joined from duplicate header lines.
    throw ambiguous();
  } else {
    // Another scheme's credentials; a duplicate header joined after them may still hide one of ours.
    const hidden = value
      .split(',')
      .slice(1)
      .some((part) => isScheme(schemes, part.trim().split(WHITESPACE)[0] ?? ''));
    if (hidden) throw ambiguous();
    return null;
  }

  if (hasQueryToken(req)) throw ambiguous();
  return token;
}

/**
 * The token of a request whose configured header is one line `<scheme> <token>`, with a configured scheme
 * and a single space, and which has no `access_token` query parameter: what {@link readAccessToken}
 * returns for that request whenever `<token>` holds neither whitespace nor a comma. The token is not
 * checked: the caller's strict token parser refuses both. `null` for any other request, where
 * `readAccessToken` decides (and reports what is wrong). It never throws.
 * @param req - A Node `IncomingMessage` or a Fetch `Request`.
 * @param options - The header name and the accepted schemes.
 * @internal
 */
export function peekAccessToken(req: HeaderSource, options: ReadAccessTokenOptions): string | null {
  const values = headerValues(req, options.header);
  if (values.length !== 1) return null;
  const line = values[0]!;
  const space = line.indexOf(' ');
  if (space <= 0 || space === line.length - 1 || !isScheme(options.schemes, line.slice(0, space))) {
    return null;
  }
  return hasQueryToken(req) ? null : line.slice(space + 1);
}
