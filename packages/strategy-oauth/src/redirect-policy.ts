import { BadRequest } from '@org/core';
import { configError } from '@org/core/internal';

/** The longest `redirect` path accepted from a request, in characters. */
const MAX_PATH_LENGTH = 2048;
/**
 * C0 controls, space and DEL: the WHATWG URL parser silently drops tab, CR and LF anywhere (so `/\t/x`
 * becomes `//x`, a protocol-relative URL) and trims the rest at the ends. Refused before any parsing.
 */
// eslint-disable-next-line no-control-regex -- matching controls is the point
const CONTROL = /[\x00-\x20\x7f]/;
/** A path the URL parser (or a front-end router after decoding) would read as `//host` or `\\host`. */
const NETWORK_PATH = /^[/\\][/\\]/;

/**
 * Parses an origin from configuration into its serialised form (`https://example.com`): only `http:`
 * or `https:`, no user info, no path, query or fragment.
 *
 * @param value - The configured origin.
 * @param setting - The setting's name, for the message.
 * @returns The origin as `URL.origin` writes it (lower-case host, punycode, default port dropped).
 * @throws BadRequest `invalid-configuration` for anything else.
 */
export function parseOrigin(value: unknown, setting: string): string {
  const url = parseHttpUrl(value, setting);
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]$/.test(value as string)) {
    throw configError(
      `${setting} must be an origin such as "https://app.example.com", not "${String(value)}"`,
    );
  }
  return url.origin;
}

function parseHttpUrl(value: unknown, setting: string): URL {
  if (typeof value !== 'string' || value === '' || CONTROL.test(value)) {
    throw configError(`${setting} must be an absolute http(s) URL`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(`${setting} must be an absolute http(s) URL, not "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw configError(`${setting} must use http: or https:, not "${url.protocol}"`);
  }
  if (url.username !== '' || url.password !== '') throw configError(`${setting} must not hold user info`);
  return url;
}

function invalidRedirect(message: string): BadRequest {
  return new BadRequest(message, { reason: 'invalid-redirect' });
}

/**
 * Decodes percent-escapes again and again (at most four rounds) and returns every form seen, so a check
 * holds for `%2F%2F` and `%252F%252F` as for `//`. A form that does not decode ends the list.
 */
function decodedForms(path: string): string[] {
  const forms = [path];
  for (let round = 0; round < 4; round++) {
    let next: string;
    try {
      next = decodeURIComponent(forms.at(-1)!);
    } catch {
      break;
    }
    if (next === forms.at(-1)) break;
    forms.push(next);
  }
  return forms;
}

/** The settings of a {@link RedirectPolicy}, in Feathers' `authentication.oauth` shape. */
export interface RedirectPolicyOptions {
  /**
   * Where the browser goes after a login: an absolute http(s) URL (`https://app.example.com/login`). Its
   * origin is always allowed and is the default; its path and query are the default target on every origin.
   */
  redirect: string;
  /**
   * More origins the browser may be sent back to, chosen by the start request's `Referer` origin
   * (exact match). Compared as parsed `URL` origins, never as strings.
   * @defaultValue `[]`
   */
  origins?: readonly string[];
}

/**
 * Where a login may send the browser back to (invariant 9: a redirect never leaves the configured
 * origins). Origins are compared as serialised `URL` origins, exactly; a `redirect` taken from a request
 * is a relative path only, resolved with `URL` against the allowed origin, and the result must keep it.
 *
 * @example
 * ```ts
 * const policy = new RedirectPolicy({ redirect: 'https://app.example.com/login', origins: ['https://admin.example.com'] });
 * const origin = policy.pickOrigin(request.headers.referer); // 'https://app.example.com' unless the referer is an allowed origin
 * policy.resolve(origin, '/inbox?tab=2').href; // 'https://app.example.com/inbox?tab=2'
 * policy.resolve(origin, '//attacker.example'); // throws BadRequest invalid-redirect
 * ```
 */
export class RedirectPolicy {
  /** The default origin: the configured `redirect`'s. */
  readonly defaultOrigin: string;
  /** Every allowed origin, the default first. */
  readonly origins: readonly string[];
  /** The configured `redirect`'s path and query: the target when a request names none. */
  readonly defaultPath: string;

  /**
   * @param options - `redirect` and `origins`.
   * @throws BadRequest `invalid-configuration` when `redirect` is not an absolute http(s) URL without user
   *   info or fragment, or an entry of `origins` is not an origin.
   */
  constructor(options: RedirectPolicyOptions) {
    const redirect = parseHttpUrl(options?.redirect, 'authentication.oauth.redirect');
    if (redirect.hash !== '') throw configError('authentication.oauth.redirect must not have a fragment');
    if (options.origins !== undefined && !Array.isArray(options.origins)) {
      throw configError('authentication.oauth.origins must be a list of origins');
    }
    const origins = (options.origins ?? []).map((origin, i) =>
      parseOrigin(origin, `authentication.oauth.origins[${i}]`),
    );
    this.defaultOrigin = redirect.origin;
    this.origins = [...new Set([redirect.origin, ...origins])];
    this.defaultPath = `${redirect.pathname}${redirect.search}`;
  }

  /**
   * Whether `url` is on an allowed origin.
   * @param url - An absolute URL.
   */
  allows(url: URL | string): boolean {
    let parsed: URL;
    try {
      parsed = typeof url === 'string' ? new URL(url) : url;
    } catch {
      return false;
    }
    return parsed.username === '' && parsed.password === '' && this.origins.includes(parsed.origin);
  }

  /**
   * The origin to send the browser back to: the origin of `candidate` (a `Referer` or `Origin` header)
   * when it is exactly an allowed one, else the default.
   * @param candidate - A URL or origin from the request, or nothing.
   */
  pickOrigin(candidate: string | undefined): string {
    if (typeof candidate !== 'string' || candidate === '' || CONTROL.test(candidate)) {
      return this.defaultOrigin;
    }
    try {
      const url = new URL(candidate);
      if (url.username !== '' || url.password !== '') return this.defaultOrigin;
      return this.origins.includes(url.origin) ? url.origin : this.defaultOrigin;
    } catch {
      return this.defaultOrigin;
    }
  }

  /**
   * Checks a `redirect` path from a request: a path starting with one `/`, without controls, spaces,
   * backslashes or a fragment, which in no decoded form starts with `//` or `/\`.
   *
   * @param path - The request's `redirect` value.
   * @returns The path and query, normalised by `URL` (what is stored and resolved later).
   * @throws BadRequest `invalid-redirect` otherwise.
   */
  checkPath(path: string): string {
    if (typeof path !== 'string' || path.length > MAX_PATH_LENGTH) {
      throw invalidRedirect('The redirect must be a path of at most 2048 characters');
    }
    if (!path.startsWith('/') || path.includes('#')) {
      throw invalidRedirect('The redirect must be a relative path starting with "/", without a fragment');
    }
    for (const form of decodedForms(path)) {
      if (CONTROL.test(form) || form.includes('\\') || NETWORK_PATH.test(form)) {
        throw invalidRedirect('The redirect must be a path on this site');
      }
    }
    // A base that is itself an allowed origin: anything leaving it was not a plain path.
    const base = this.defaultOrigin;
    const url = new URL(path, base);
    if (url.origin !== base || url.username !== '' || url.password !== '') {
      throw invalidRedirect('The redirect must be a path on this site');
    }
    return `${url.pathname}${url.search}`;
  }

  /**
   * The target on `origin` for a `redirect` path (or the default path): resolved with `URL`, and it
   * must keep that origin.
   *
   * @param origin - An allowed origin (from {@link pickOrigin}).
   * @param path - A path from the request, or nothing for the default.
   * @returns The absolute target.
   * @throws BadRequest `invalid-redirect` when `origin` is not allowed or `path` fails {@link checkPath}.
   */
  resolve(origin: string, path?: string | null): URL {
    if (!this.origins.includes(origin)) throw invalidRedirect('The origin is not allowed');
    const relative =
      path === undefined || path === null || path === '' ? this.defaultPath : this.checkPath(path);
    const url = new URL(relative, origin);
    if (url.origin !== origin) throw invalidRedirect('The redirect must be a path on this site');
    return url;
  }
}
