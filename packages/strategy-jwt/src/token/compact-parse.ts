import { NotAuthenticated } from '@org/core';

/** The largest token accepted, in characters (and so bytes: the alphabet is ASCII). */
export const MAX_TOKEN_LENGTH = 8192;

/** The three base64url segments of a JWS compact serialization, validated but not decoded. @internal */
export interface CompactParts {
  header: string;
  payload: string;
  signature: string;
  /** `header.payload`, the JWS signing input. */
  signingInput: string;
}

// Any character outside the base64url alphabet (RFC 4648 section 5) and `.`: without the `u` flag `\w` is
// exactly [A-Za-z0-9_], so anything else, non-ASCII included, matches. One native regex scan is several
// times faster than a JavaScript loop over the token.
const OUTSIDE_ALPHABET = /[^\w.-]/;
// The 6-bit value of each alphabet character, for the trailing-bits check.
const VALUE = new Uint8Array(128);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('').forEach((c, i) => {
  VALUE[c.charCodeAt(0)] = i;
});

function malformed(message = 'Malformed token'): NotAuthenticated {
  return new NotAuthenticated(message, { reason: 'token-malformed' });
}

/**
 * True when `segment` (already known to use only the alphabet) is the canonical unpadded base64url
 * encoding of its bytes: a length that is not 1 mod 4, and zero unused bits in the last character.
 * This is what "decode then re-encode gives the input back" means, checked without re-encoding.
 */
function isCanonical(segment: string): boolean {
  const rest = segment.length & 3;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = VALUE[segment.charCodeAt(segment.length - 1)]!;
  return rest === 2 ? (last & 0x0f) === 0 : (last & 0x03) === 0;
}

/**
 * The strict pre-parser: runs before any base64 or JSON decoding.
 *
 * Refuses (all `token-malformed`): a non-string, more than {@link MAX_TOKEN_LENGTH} characters, any
 * character outside the base64url alphabet and `.` (so no padding `=`, whitespace, CR/LF, `+`, `/`,
 * non-ASCII), a count of segments other than three (five is a JWE and gets its own message), an empty
 * header or signature, and a non-canonical encoding.
 * @param token - The raw token.
 * @throws NotAuthenticated (`token-malformed`).
 * @internal
 */
export function parseCompact(token: unknown): CompactParts {
  if (typeof token !== 'string' || token.length === 0) throw malformed();
  const length = token.length;
  if (length > MAX_TOKEN_LENGTH) throw malformed('Token too long');
  if (OUTSIDE_ALPHABET.test(token)) throw malformed('Malformed token: not base64url');
  const first = token.indexOf('.');
  const second = first === -1 ? -1 : token.indexOf('.', first + 1);
  if (second === -1 || token.indexOf('.', second + 1) !== -1) {
    if (token.split('.').length === 5) throw malformed('Encrypted tokens (JWE) are not accepted');
    throw malformed('Malformed token: expected three segments');
  }
  const header = token.slice(0, first);
  const payload = token.slice(first + 1, second);
  const signature = token.slice(second + 1);
  // An empty payload is a valid JWS (RFC 7515: any octet sequence; Wycheproof emptyPayload); it can never be a
  // JWT claims set, so the payload step refuses it, after the signature, like any other non-object.
  if (header.length === 0 || signature.length === 0) {
    throw malformed('Malformed token: empty segment');
  }
  if (!isCanonical(header) || !isCanonical(payload) || !isCanonical(signature)) {
    throw malformed('Malformed token: non-canonical base64url');
  }
  return { header, payload, signature, signingInput: token.slice(0, second) };
}
