import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DenylistKeys, denylistKey } from './denylist-key.ts';

// The keys are shared with entries already in Redis/Postgres/SQLite: a change of digest would make every
// stored revocation unreadable. Pinned to SHA-256 of the JSON pair, as createHash computed it before.
function reference(namespace: string, kind: string, iss: string, id: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([iss, id]))
    .digest('base64url');
  return `${namespace}:${kind}:${digest}`;
}

describe('denylist keys', () => {
  it('are the SHA-256 of the [iss, id] JSON, with no delimiter ambiguity', () => {
    expect(denylistKey('revoked', 'jti', 'https://a', 'j1')).toBe(
      reference('revoked', 'jti', 'https://a', 'j1'),
    );
    expect(denylistKey('ns', 'sub', 'a:b', 'c')).not.toBe(denylistKey('ns', 'sub', 'a', 'b:c'));
  });

  it('DenylistKeys gives the same keys, remembered or not, long inputs and after the memo fills', () => {
    const keys = new DenylistKeys('revoked');
    const long = 'x'.repeat(600);
    for (let round = 0; round < 2; round++) {
      for (const [kind, iss, id] of [
        ['jti', 'https://a', 'j1'],
        ['sub', 'https://a', 'j1'],
        ['jti', '', 'é'],
        ['sub', 'https://a', long],
      ] as const) {
        expect(keys.key(kind, iss, id)).toBe(reference('revoked', kind, iss, id));
      }
    }
    for (let i = 0; i < 5000; i++) keys.key('jti', 'i', String(i));
    expect(keys.key('jti', 'i', '1')).toBe(reference('revoked', 'jti', 'i', '1'));
    expect(keys.key('jti', 'i', '4999')).toBe(reference('revoked', 'jti', 'i', '4999'));
  });
});
