import { createHash } from 'node:crypto';

/** A strong entity tag for a body: the quoted base64url SHA-256 of its bytes. */
export function strongEtag(body: string | Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

// RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text.
const ENTITY_TAG = /^[\s,]*(?:W\/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)/;

/**
 * True when an `If-None-Match` header matches `etag` (RFC 9110 §13.1.2): `*`, or any listed entity
 * tag equal under the weak comparison (opaque tags equal, `W/` ignored). A malformed header never
 * matches, so the client gets a full response rather than a wrong 304.
 * @param header - The raw header (a string, or the array Node gives for repeated headers).
 * @param etag - Our strong entity tag, quoted.
 */
export function ifNoneMatchMatches(header: string | readonly string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  let rest = Array.isArray(header) ? header.join(',') : (header as string);
  if (rest.trim() === '*') return true;
  while (/[^\s,]/.test(rest)) {
    const m = ENTITY_TAG.exec(rest);
    if (!m) return false;
    if (m[1] === etag) return true;
    rest = rest.slice(m[0].length);
  }
  return false;
}
