import { isUtf8 } from 'node:buffer';
import { NotAuthenticated } from '@org/core';

/** Member names refused anywhere in a header or payload: prototype pollution vectors in naive merges. */
export const FORBIDDEN_MEMBER_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

function malformed(message: string): NotAuthenticated {
  return new NotAuthenticated(message, { reason: 'token-malformed' });
}

/**
 * Finds duplicate and forbidden member names in ONE scan of the JSON text, before `JSON.parse` (which
 * silently keeps the last duplicate, RFC 8259 section 4 leaves it open, RFC 7515 section 5.2 requires a
 * reject or the last one; we reject). The scan only tracks strings and structure; `JSON.parse` then
 * validates the grammar, so on invalid JSON the scan result does not matter.
 * @returns a message when a bad name is found, else `undefined`.
 * @internal
 */
export function findBadMemberName(text: string): string | undefined {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (; j < length; j++) {
        const d = text.charCodeAt(j);
        if (d === 92 /* \ */) {
          escaped = true;
          j++;
        } else if (d === 34) break;
      }
      if (j >= length) return 'Malformed token: invalid JSON';
      if (expectKey) {
        let name: string;
        if (escaped) {
          try {
            name = JSON.parse(text.slice(i, j + 1)) as string;
          } catch {
            return 'Malformed token: invalid JSON';
          }
        } else name = text.slice(i + 1, j);
        if (FORBIDDEN_MEMBER_NAMES.has(name)) return 'Malformed token: forbidden member name';
        const names = stack[stack.length - 1]!;
        if (names.has(name)) return 'Malformed token: duplicate member name';
        names.add(name);
        expectKey = false;
      }
      i = j;
    } else if (c === 123 /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 91 /* [ */) {
      stack.push(null);
      expectKey = false;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 44 /* , */) {
      expectKey = stack.length > 0 && stack[stack.length - 1] !== null;
    }
  }
  return undefined;
}

/**
 * Decodes one base64url segment (already validated by the pre-parser) as a strict JSON object: valid
 * UTF-8 (no replacement characters), no byte order mark, no duplicate or forbidden member names at any
 * depth, and an object at the top.
 * @param segment - Canonical base64url.
 * @throws NotAuthenticated (`token-malformed`).
 * @internal
 */
export function decodeJsonObject(segment: string): Record<string, unknown> {
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw malformed('Malformed token: byte order mark');
  }
  if (!isUtf8(bytes)) throw malformed('Malformed token: invalid UTF-8');
  const text = bytes.toString('utf8');
  const problem = findBadMemberName(text);
  if (problem) throw malformed(problem);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed('Malformed token: invalid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw malformed('Malformed token: not a JSON object');
  }
  return value as Record<string, unknown>;
}
