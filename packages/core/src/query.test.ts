import { describe, expect, it } from 'vitest';
import { BadRequest } from './errors.ts';
import { parseQuery, selectFields } from './query.ts';

function rejects(query: unknown): BadRequest {
  try {
    parseQuery(query);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequest);
    expect((error as BadRequest).reason).toBe('invalid-query');
    expect((error as BadRequest).code).toBe(400);
    return error as BadRequest;
  }
  throw new Error('expected parseQuery to throw');
}

describe('parseQuery', () => {
  it('treats undefined and null as an empty query', () => {
    const empty = { filters: [], limit: undefined, skip: 0, select: undefined, sort: [] };
    expect(parseQuery(undefined)).toEqual(empty);
    expect(parseQuery(null)).toEqual(empty);
    expect(parseQuery({})).toEqual(empty);
  });

  it('splits filters, paging, selection and sort', () => {
    expect(
      parseQuery({
        email: 'a@b.c',
        'auth.level': 2,
        active: true,
        gone: null,
        skipped: undefined,
        $limit: '10',
        $skip: 5,
        $select: ['email'],
        $sort: { 'auth.level': -1, email: '1' },
      }),
    ).toEqual({
      filters: [
        { field: 'email', path: ['email'], value: 'a@b.c' },
        { field: 'auth.level', path: ['auth', 'level'], value: 2 },
        { field: 'active', path: ['active'], value: true },
        { field: 'gone', path: ['gone'], value: null },
      ],
      limit: 10,
      skip: 5,
      select: ['email'],
      sort: [
        { field: 'auth.level', path: ['auth', 'level'], direction: -1 },
        { field: 'email', path: ['email'], direction: 1 },
      ],
    });
  });

  it('rejects non-scalar values with a message naming the field', () => {
    expect(rejects({ email: { $ne: null } }).message).toBe(
      'The query value of "email" must be a string, number, boolean or null',
    );
    for (const value of [[], {}, () => 1, new Date(), Number.NaN, Infinity, 1n, Symbol('x')]) {
      rejects({ email: value });
    }
  });

  it('rejects unknown operators, bad field names and a non-object query', () => {
    expect(rejects({ $or: [] }).message).toBe('Unsupported query operator "$or"');
    expect(rejects({ 'a..b': 1 }).message).toBe('Invalid field name in the query');
    rejects({ '': 1 });
    rejects({ 'a b': 1 });
    rejects(JSON.parse('{"__proto__": 1}'));
    rejects({ 'x.constructor': 1 });
    expect(rejects('a=1').message).toBe('The query must be an object');
    rejects([]);
    rejects(new Map());
  });

  it('rejects malformed $limit, $skip, $select and $sort', () => {
    expect(rejects({ $limit: -1 }).message).toBe('$limit must be a non-negative integer');
    rejects({ $limit: '01' });
    rejects({ $limit: 1.5 });
    expect(rejects({ $skip: 'x' }).message).toBe('$skip must be a non-negative integer');
    expect(rejects({ $select: 'email' }).message).toBe('$select must be an array of field names');
    rejects({ $select: [1] });
    expect(rejects({ $select: ['a.b'] }).message).toBe('Invalid field name in $select');
    expect(rejects({ $sort: 'email' }).message).toBe('$sort must be an object of field: 1 | -1');
    expect(rejects({ $sort: { email: 0 } }).message).toBe('$sort directions must be 1 or -1');
  });
});

describe('selectFields', () => {
  it('keeps the id and the selected fields that exist', () => {
    const record = { id: 1, a: 1, b: 2 };
    expect(selectFields(record, ['a', 'c'], 'id')).toEqual({ id: 1, a: 1 });
    expect(selectFields(record, undefined, 'id')).toBe(record);
  });
});
