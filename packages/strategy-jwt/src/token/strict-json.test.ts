/**
 * decodeJsonObject parses first and checks the parsed members against the text; these cases aim at that
 * check (escaped quotes, backslash runs, overwritten subtrees, a polluted prototype) and at the message
 * order the exact scan gave when it ran first.
 */
import { describe, expect, test } from 'vitest';
import { NotAuthenticated } from '@org/core';
import { decodeJsonObject, findBadMemberName } from './strict-json.ts';

function decode(text: string): Record<string, unknown> {
  return decodeJsonObject(Buffer.from(text, 'utf8').toString('base64url'));
}

function messageOf(text: string): string | undefined {
  try {
    decode(text);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(NotAuthenticated);
    expect((error as NotAuthenticated).reason).toBe('token-malformed');
    return (error as NotAuthenticated).message;
  }
}

describe('decodeJsonObject', () => {
  test.each([
    ['escaped quotes in names and values', '{"a\\"":1,"b":"x:\\"y:","c":{"d\\"e":[":"]}}'],
    ['a name ending in a backslash', '{"a\\\\":1,"b":2}'],
    ['a value of backslashes before a colon', '{"a":"\\\\\\\\","b":":"}'],
    ['whitespace around the separators', ' { "a" : 1 , "b" : { "c" : [ 1 , { "d" : null } ] } } '],
    ['the same name in different objects', '{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}'],
  ])('accepts %s', (_name, text) => {
    expect(decode(text)).toEqual(JSON.parse(text));
  });

  test.each([
    ['an escaped duplicate of a name with a quote', '{"a\\"":1,"a\\u0022":2}', 'duplicate'],
    ['a duplicate whose first value held a forbidden name', '{"x":{"__proto__":1},"x":2}', 'forbidden'],
    ['a duplicate whose first value held a duplicate', '{"x":{"a":1,"a":2},"x":{}}', 'duplicate'],
    ['a duplicate deep in an array', '{"a":[[{"b":1,"c":2,"b":3}]]}', 'duplicate'],
    ['a duplicate in invalid JSON (reported as the duplicate)', '{"a":1,"a":2,}', 'duplicate'],
    ['a forbidden name in invalid JSON', '{"constructor":1', 'forbidden'],
    ['a duplicate before a forbidden name (text order)', '{"a":1,"a":2,"prototype":3}', 'duplicate'],
    ['a forbidden name before a duplicate (text order)', '{"prototype":3,"a":1,"a":2}', 'forbidden'],
  ])('refuses %s', (_name, text, kind) => {
    expect(messageOf(text)).toBe(`Malformed token: ${kind} member name`);
    expect(findBadMemberName(text)).toBe(`Malformed token: ${kind} member name`);
  });

  test('an enumerable property planted on Object.prototype neither hides nor invents a member', () => {
    const prototype = Object.prototype as Record<string, unknown>;
    prototype.planted = 1;
    try {
      expect(decode('{"a":1,"b":2}')).toEqual({ a: 1, b: 2 });
      expect(messageOf('{"a":1,"a":2}')).toBe('Malformed token: duplicate member name');
    } finally {
      delete prototype.planted;
    }
  });

  test('gives the verdict and message of "exact scan, then JSON.parse" on 20,000 generated texts', () => {
    // The order decodeJsonObject had before the fast check: the reference semantics.
    const reference = (text: string): string | undefined => {
      const problem = findBadMemberName(text);
      if (problem !== undefined) return problem;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return 'Malformed token: invalid JSON';
      }
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? undefined
        : 'Malformed token: not a JSON object';
    };
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    const NAMES = ['a', 'b', 'a\\\\', 'a\\"', '\\u0061', '__proto__', 'constructor', 'x:y', ''];
    const value = (depth: number): string => {
      const kind = depth > 3 ? 0 : next(4);
      if (kind === 0) return ['1', '"v"', '":"', '"\\\\"', 'null', '"a\\":"'][next(6)]!;
      if (kind === 1) return `[${Array.from({ length: next(3) }, () => value(depth + 1)).join(',')}]`;
      return `{${Array.from({ length: next(4) }, () => `"${NAMES[next(NAMES.length)]}":${value(depth + 1)}`).join(',')}}`;
    };
    const verdicts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      let text = value(0);
      if (next(4) === 0) {
        const at = next(text.length + 1);
        text = text.slice(0, at) + '{}[]":,\\a'[next(9)]! + text.slice(at + next(2));
      }
      const expected = reference(text);
      expect([text, messageOf(text)]).toEqual([text, expected]);
      verdicts.set(expected ?? 'accepted', (verdicts.get(expected ?? 'accepted') ?? 0) + 1);
    }
    // The generator reaches every verdict, so the comparison is not vacuous.
    expect([...verdicts.keys()].sort()).toEqual(
      [
        'accepted',
        'Malformed token: duplicate member name',
        'Malformed token: forbidden member name',
        'Malformed token: invalid JSON',
        'Malformed token: not a JSON object',
      ].sort(),
    );
  });
});
