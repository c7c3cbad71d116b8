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

function malformed(message: string): NotAuthenticated {
  return new NotAuthenticated(message, { reason: 'token-malformed' });
}

/**
 * True when `token.slice(start, end)` (already known to use only the alphabet) is the canonical unpadded
 * base64url encoding of its bytes: a length that is not 1 mod 4, and zero unused bits in the last
 * character. This is what "decode then re-encode gives the input back" means, checked without
 * re-encoding or slicing.
 */
function isCanonical(token: string, start: number, end: number): boolean {
  const rest = (end - start) & 3;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = VALUE[token.charCodeAt(end - 1)]!;
  return rest === 2 ? (last & 0x0f) === 0 : (last & 0x03) === 0;
}

/**
 * Every check of the pre-parser, without building anything: the index of the second `.` when `token` is
 * a well-formed compact JWS (where the segments split), else the message of the first check it fails.
 * {@link parseCompact} slices at the dots or throws the message.
 */
function scanCompact(token: unknown): number | string {
  if (typeof token !== 'string' || token.length === 0) return 'Malformed token';
  const length = token.length;
  if (length > MAX_TOKEN_LENGTH) return 'Token too long';
  if (OUTSIDE_ALPHABET.test(token)) return 'Malformed token: not base64url';
  const first = token.indexOf('.');
  const second = first === -1 ? -1 : token.indexOf('.', first + 1);
  if (second === -1 || token.indexOf('.', second + 1) !== -1) {
    if (token.split('.').length === 5) return 'Encrypted tokens (JWE) are not accepted';
    return 'Malformed token: expected three segments';
  }
  // An empty payload is a valid JWS (RFC 7515: any octet sequence; Wycheproof emptyPayload); it can never be a
  // JWT claims set, so the payload step refuses it, after the signature, like any other non-object.
  if (first === 0 || second === length - 1) return 'Malformed token: empty segment';
  if (
    !isCanonical(token, 0, first) ||
    !isCanonical(token, first + 1, second) ||
    !isCanonical(token, second + 1, length)
  ) {
    return 'Malformed token: non-canonical base64url';
  }
  return second;
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
  const second = scanCompact(token);
  if (typeof second === 'string') throw malformed(second);
  const text = token as string;
  // Within the header segment only: the scan already found where the payload ends.
  const first = text.indexOf('.');
  return {
    header: text.slice(0, first),
    payload: text.slice(first + 1, second),
    signature: text.slice(second + 1),
    signingInput: text.slice(0, second),
  };
}
