import { createHmac, type KeyObject } from 'node:crypto';
import { claims, forge, NOW, SECRET_KEY } from './test-keys.ts';

/** mulberry32: a small seeded PRNG, so every run mutates the same way. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INSERTS = [
  '.',
  '=',
  ' ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  'é',
  '\uFEFF',
  '\u0000',
  '😀',
  '\uD800',
  '+',
  '/',
  '%',
  '"',
  '{',
  '}',
];
const JSON_INSERTS = [
  '"',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '\\',
  '\\u0000',
  '"__proto__":1,',
  '"exp":1,',
  '"alg":"none",',
  '1e999',
  '\uFEFF',
  'null',
  ' ',
];
const B64URL = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];

/**
 * A seeded token mutator: bit flips, segment swaps and duplication, truncation, insertion of `.`, `=`,
 * whitespace and unicode, base64url character swaps, and "re-signed" JSON mutations (the decoded header or
 * payload text is mutated and the token is signed again with `key`, so the mutation reaches the JSON and
 * claims steps instead of stopping at the signature).
 */
export function createMutator(seed: number, key: KeyObject): (token: string) => string {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;

  const resign = (header: string, payload: string): string => {
    const input = `${Buffer.from(header).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
    return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
  };
  const mutateText = (text: string): string => {
    const at = int(text.length + 1);
    switch (int(4)) {
      case 0:
        return text.slice(0, at) + pick(JSON_INSERTS) + text.slice(at);
      case 1:
        return text.slice(0, at) + text.slice(at + 1 + int(3));
      case 2: {
        const code = text.charCodeAt(at) ^ (1 << int(7));
        return at < text.length ? text.slice(0, at) + String.fromCharCode(code) + text.slice(at + 1) : text;
      }
      default:
        return text.slice(0, at);
    }
  };

  const once = (token: string): string => {
    const parts = token.split('.');
    const at = int(token.length + 1);
    switch (int(9)) {
      case 0: {
        if (token.length === 0) return token;
        const i = Math.min(at, token.length - 1);
        return (
          token.slice(0, i) + String.fromCharCode(token.charCodeAt(i) ^ (1 << int(8))) + token.slice(i + 1)
        );
      }
      case 1: {
        const i = int(parts.length);
        const j = int(parts.length);
        [parts[i], parts[j]] = [parts[j]!, parts[i]!];
        return parts.join('.');
      }
      case 2:
        return token.slice(0, at);
      case 3:
        return token.slice(0, at) + pick(INSERTS) + token.slice(at);
      case 4:
        return at < token.length ? token.slice(0, at) + pick(B64URL) + token.slice(at + 1) : token;
      case 5:
        return `${parts.join('.')}.${pick(parts)}`;
      case 6:
      case 7: {
        if (parts.length !== 3) return token;
        const header = Buffer.from(parts[0]!, 'base64url').toString('utf8');
        const payload = Buffer.from(parts[1]!, 'base64url').toString('utf8');
        return int(2) === 0 ? resign(mutateText(header), payload) : resign(header, mutateText(payload));
      }
      default:
        return token.replace(/=+$/, '') + '='.repeat(int(3));
    }
  };

  return (token: string) => {
    let result = token;
    const rounds = 1 + int(3);
    for (let i = 0; i < rounds; i++) result = once(result);
    return result;
  };
}

/** How many mutated tokens the fuzz test runs, and the differential test compares with jose. */
export const FUZZ_CASES = 100_000;

/** The valid HS256 tokens (under test-keys' `SECRET_KEY`) the fuzz cases are mutated from. */
export const FUZZ_SEEDS: readonly string[] = [
  forge('HS256', SECRET_KEY, JSON.stringify({ alg: 'HS256', typ: 'access' }), JSON.stringify(claims())),
  forge(
    'HS256',
    SECRET_KEY,
    JSON.stringify({ alg: 'HS256', typ: 'access', kid: 'k' }),
    JSON.stringify(claims({ nested: { a: [1, { b: 'c' }] }, nbf: NOW - 5 })),
  ),
  forge(
    'HS256',
    SECRET_KEY,
    '{"typ":"access","alg":"HS256"}',
    JSON.stringify(claims({ aud: ['x', 'https://yourdomain.com'], name: 'Zoë ☃' })),
  ),
];

/**
 * The fuzz cases, in order, the same on every run and in every test that asks for them: {@link FUZZ_CASES}
 * mutations of {@link FUZZ_SEEDS} (seeded PRNG, tokens re-signed with `SECRET_KEY`).
 */
export function* fuzzCases(): Generator<string> {
  const mutate = createMutator(0x5eed, SECRET_KEY);
  for (let i = 0; i < FUZZ_CASES; i++) yield mutate(FUZZ_SEEDS[i % FUZZ_SEEDS.length]!);
}
