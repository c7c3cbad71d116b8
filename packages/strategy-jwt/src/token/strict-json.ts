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
 * True when the backslash run just before `at` has odd length, i.e. the quote at `at` is escaped.
 */
function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(at - 1 - backslashes) === 92) backslashes++;
  return (backslashes & 1) === 1;
}

/**
 * The number of `:` outside strings in VALID JSON text: the grammar uses `:` only as the name separator,
 * so this is the number of members written in the text, duplicates included. -1 when a string does not
 * end (only possible on invalid text, which the caller never passes).
 */
function countMembersWritten(text: string): number {
  let count = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 58 /* : */) count++;
    else if (c === 34 /* " */) {
      let end = text.indexOf('"', i + 1);
      while (end !== -1 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (end === -1) return -1;
      i = end;
    }
  }
  return count;
}

/**
 * The fast form of "{@link findBadMemberName} finds nothing", for text `JSON.parse` accepted as `value`:
 * no forbidden name on any parsed object, and as many own members parsed as written. `JSON.parse` keeps
 * one member per duplicated name (and drops the subtrees it overwrote), so equal counts mean no
 * duplicates; with no duplicates every written member is in `value`, so the name walk sees them all.
 * `false` only means "look closer": the caller then runs the exact scan for its message.
 */
function membersAreClean(value: unknown, text: string): boolean {
  let parsed = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) {
      for (const item of node) if (typeof item === 'object' && item !== null) pending.push(item);
    } else if (typeof node === 'object' && node !== null) {
      // Object.keys, not for-in: an enumerable property planted on Object.prototype must not count.
      const names = Object.keys(node);
      parsed += names.length;
      for (const name of names) {
        if (FORBIDDEN_MEMBER_NAMES.has(name)) return false;
        const member = (node as Record<string, unknown>)[name];
        if (typeof member === 'object' && member !== null) pending.push(member);
      }
    }
  }
  return parsed === countMembersWritten(text);
}

/**
 * Decodes one base64url segment (already validated by the pre-parser) as a strict JSON object: valid
 * UTF-8 (no replacement characters), no byte order mark, no duplicate or forbidden member names at any
 * depth, and an object at the top.
 *
 * `JSON.parse` runs first and the parsed value is checked cheaply ({@link membersAreClean}); only text that
 * fails to parse or fails that check pays for the exact {@link findBadMemberName} scan, whose message wins
 * as it did when the scan ran first (a duplicate in invalid JSON is still reported as a duplicate).
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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed(findBadMemberName(text) ?? 'Malformed token: invalid JSON');
  }
  if (!membersAreClean(value, text)) {
    // The scan names the first bad member in text order; it cannot come back empty when the counts
    // differ, but if it ever did, refusing is the strict answer.
    throw malformed(findBadMemberName(text) ?? 'Malformed token: duplicate member name');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw malformed('Malformed token: not a JSON object');
  }
  return value as Record<string, unknown>;
}
