import { describe, expect, it } from 'vitest';
import { withMember } from './with-member.ts';

describe('withMember', () => {
  it('gives what { ...source, [key]: value } gives: a new object, members in order, the key replaced in place', () => {
    const tag = Symbol('tag');
    const source = { provider: 'rest', authenticated: false, [tag]: 1 };
    const copy = withMember(source, 'authenticated', true);
    expect(copy).toEqual({ ...source, authenticated: true });
    expect(Object.keys(copy)).toEqual(['provider', 'authenticated']);
    expect(copy[tag]).toBe(1);
    expect(copy).not.toBe(source);
    expect(source.authenticated).toBe(false);
    expect(Object.keys(withMember({ a: 1 }, 'user', { id: 1 }))).toEqual(['a', 'user']);
  });

  it('never turns a __proto__ member into the prototype of the copy', () => {
    const source = JSON.parse('{"__proto__":{"isAdmin":true},"a":1}') as Record<string, unknown>;
    const copy = withMember(source, 'b', 2);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a', 'b']);
    const keyed = withMember({ a: 1 }, '__proto__', { isAdmin: true });
    expect(Object.getPrototypeOf(keyed)).toBe(Object.prototype);
    expect((keyed as { isAdmin?: unknown }).isAdmin).toBeUndefined();
    expect(Object.hasOwn(keyed, '__proto__')).toBe(true);
  });
});
