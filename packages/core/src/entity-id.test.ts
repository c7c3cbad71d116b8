import { describe, expect, it } from 'vitest';
import { normaliseId } from './entity-id.ts';

describe('normaliseId', () => {
  it.each([
    ['42', 'number', 42],
    [42, 'number', 42],
    ['-7', 'number', -7],
    ['042', 'number', undefined],
    ['4.2', 'number', undefined],
    ['99999999999999999', 'number', undefined],
    [1.5, 'number', undefined],
    [null, 'number', undefined],
    ['abc', 'string', 'abc'],
    [42, 'string', '42'],
    [Number.NaN, 'string', undefined],
    [{ $ne: null }, 'string', undefined],
  ] as const)('%j as a %s id is %j', (id, type, expected) => {
    expect(normaliseId(id, type)).toBe(expected);
  });
});
