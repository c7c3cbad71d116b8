import { describe, expect, it } from 'vitest';
import { BadRequest } from './errors.ts';
import { assertKnownOptions, configError } from './options-check.ts';
import { toRecordData } from './record-data.ts';

describe('assertKnownOptions', () => {
  it('accepts known keys', () => {
    expect(() => assertKnownOptions({ table: 'users' }, ['table', 'id'], 'adapter()')).not.toThrow();
  });

  it('rejects an unknown key with a did-you-mean hint', () => {
    let error: unknown;
    try {
      assertKnownOptions({ tabel: 'users' }, ['table', 'id'], 'adapter()');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadRequest);
    expect((error as BadRequest).reason).toBe('invalid-configuration');
    expect((error as BadRequest).message).toBe(
      'adapter(): unknown option "tabel" (did you mean "table"?); known options: table, id',
    );
  });

  it('gives no hint when nothing is close', () => {
    expect(() => assertKnownOptions({ zzzzzz: 1 }, ['table'], 'x')).toThrow(
      'x: unknown option "zzzzzz"; known options: table',
    );
  });

  it('configError is a 400 with the invalid-configuration reason', () => {
    const error = configError('bad');
    expect(error.code).toBe(400);
    expect(error.reason).toBe('invalid-configuration');
  });
});

describe('toRecordData', () => {
  it('returns a detached JSON copy', () => {
    const input = { a: 1, nested: { b: 2 }, gone: undefined, when: new Date(0) };
    const copy = toRecordData(input);
    expect(copy).toEqual({ a: 1, nested: { b: 2 }, when: '1970-01-01T00:00:00.000Z' });
    input.nested.b = 3;
    expect(copy.nested).toEqual({ b: 2 });
  });

  it.each([null, 1, 'x', [1]])('rejects %j with a 400', (value) => {
    expect(() => toRecordData(value)).toThrow(new BadRequest('The data must be an object'));
  });

  it('rejects data that JSON cannot represent', () => {
    expect(() => toRecordData({ n: 1n })).toThrow('The data must be JSON-serialisable');
  });
});
