import { describe, expect, it } from 'vitest';
import { getPath, isDotPath, omitPath, setPath } from './dot-path.ts';

describe('dot paths', () => {
  it('reads nested own properties only', () => {
    expect(getPath({ auth: { email: 'a' } }, 'auth.email')).toBe('a');
    expect(getPath({ auth: null }, 'auth.email')).toBeUndefined();
    expect(getPath({}, 'toString')).toBeUndefined();
    expect(getPath({}, '__proto__')).toBeUndefined();
    expect(getPath('text', 'length')).toBeUndefined();
  });

  it('sets by copying the objects along the path', () => {
    const source = { auth: { email: 'a', password: 'p' }, other: { x: 1 } };
    const copy = setPath(source, 'auth.password', 'h');
    expect(copy).toEqual({ auth: { email: 'a', password: 'h' }, other: { x: 1 } });
    expect(source.auth.password).toBe('p');
    expect(copy.other).toBe(source.other);
    expect(setPath({}, 'a.b', 1)).toEqual({ a: { b: 1 } });
  });

  it('never writes through __proto__', () => {
    const copy = setPath({}, '__proto__.polluted', 1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(copy).toEqual({});
  });

  it('omits by copying, and returns the input when the path is absent', () => {
    const source = { auth: { email: 'a', password: 'p' } };
    expect(omitPath(source, 'auth.password')).toEqual({ auth: { email: 'a' } });
    expect(source.auth.password).toBe('p');
    expect(omitPath(source, 'nope.password')).toBe(source);
  });

  it.each([
    ['email', true],
    ['auth.email', true],
    ['', false],
    ['auth..email', false],
    ['auth.__proto__', false],
    ['constructor', false],
    [1, false],
  ])('isDotPath(%o) is %s', (path, valid) => {
    expect(isDotPath(path)).toBe(valid);
  });
});
