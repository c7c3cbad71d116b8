import { configError } from '@org/core/internal';

/** RFC 6265 section 4.1.1: a cookie name is an RFC 7230 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Attribute values (path, domain) must not end the attribute or the header. */
const ATTRIBUTE = /^[\x20-\x3A\x3C-\x7E]*$/;

/** Attributes of a `Set-Cookie` header built by {@link serializeCookie}. */
export interface CookieOptions {
  /**
   * Lifetime in seconds (`Max-Age`); 0 deletes the cookie. Without it the cookie lasts the browser session.
   */
  maxAge?: number;
  /** An absolute expiry (`Expires`), for old clients; prefer `maxAge`. */
  expires?: Date;
  /**
   * The `Path` attribute.
   * @defaultValue `'/'`
   */
  path?: string;
  /** The `Domain` attribute; without it the cookie is host-only (safer). */
  domain?: string;
  /**
   * Sent over HTTPS only. Browsers treat `http://localhost` as secure, so development works with it on.
   * @defaultValue `true`
   */
  secure?: boolean;
  /**
   * Hidden from scripts.
   * @defaultValue `true`
   */
  httpOnly?: boolean;
  /**
   * Cross-site sending policy. `None` requires `secure`.
   * @defaultValue `'Lax'`
   */
  sameSite?: 'Strict' | 'Lax' | 'None';
}

/**
 * Reads a `Cookie` header into a null-prototype record; values are percent-decoded when they decode.
 * The first of several cookies with one name wins (browsers send the most specific path first).
 *
 * @param header - The `Cookie` header.
 * @returns The cookies by name.
 * @example
 * ```ts
 * parseCookies('sid=abc; theme=dark'); // { sid: 'abc', theme: 'dark' }
 * ```
 */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null);
  if (!header) return cookies;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    const name = pair.slice(0, eq).trim();
    if (name === '' || name in cookies) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      cookies[name] = decodeURIComponent(value);
    } catch {
      cookies[name] = value;
    }
  }
  return cookies;
}

/**
 * Builds one `Set-Cookie` header value, with safe defaults (`Path=/; Secure; HttpOnly; SameSite=Lax`).
 * Put several in a response as an array: `headers: { 'set-cookie': [a, b] }`.
 *
 * @param name - The cookie name (an RFC 7230 token).
 * @param value - The value; percent-encoded as needed.
 * @param options - Attributes.
 * @returns The header value.
 * @throws BadRequest `invalid-configuration` for a bad name or attribute, `SameSite=None` without
 *   `secure`, or a `__Host-`/`__Secure-` name whose attributes break its prefix rules.
 * @example
 * ```ts
 * serializeCookie('oauth_state', sealed, { maxAge: 600, path: '/oauth' });
 * // 'oauth_state=...; Max-Age=600; Path=/oauth; Secure; HttpOnly; SameSite=Lax'
 * ```
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (!TOKEN.test(name)) throw configError(`Cookie name "${name}" is not a token`);
  const { path = '/', domain, secure = true, httpOnly = true, sameSite = 'Lax' } = options;
  if (!ATTRIBUTE.test(path) || (domain !== undefined && !ATTRIBUTE.test(domain))) {
    throw configError(`Cookie ${name}: path and domain must be printable ASCII without ";"`);
  }
  if (sameSite === 'None' && !secure) throw configError(`Cookie ${name}: SameSite=None needs secure`);
  // RFC 6265bis section 4.1.3: the prefixes are promises browsers enforce; refuse to break them here.
  if ((name.startsWith('__Secure-') || name.startsWith('__Host-')) && !secure) {
    throw configError(`Cookie ${name}: its prefix needs secure`);
  }
  if (name.startsWith('__Host-') && (path !== '/' || domain !== undefined)) {
    throw configError(`Cookie ${name}: a __Host- cookie needs path "/" and no domain`);
  }
  const parts = [`${name}=${encodeURIComponent(value)}`];
  if (options.maxAge !== undefined) {
    if (!Number.isInteger(options.maxAge)) throw configError(`Cookie ${name}: maxAge must be whole seconds`);
    parts.push(`Max-Age=${options.maxAge}`);
  }
  if (options.expires !== undefined) parts.push(`Expires=${options.expires.toUTCString()}`);
  parts.push(`Path=${path}`);
  if (domain !== undefined) parts.push(`Domain=${domain}`);
  if (secure) parts.push('Secure');
  if (httpOnly) parts.push('HttpOnly');
  parts.push(`SameSite=${sameSite}`);
  return parts.join('; ');
}
