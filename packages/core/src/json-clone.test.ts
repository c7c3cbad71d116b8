import { describe, expect, it } from 'vitest';
import { cloneJson, isFlatObject, isJsonTree, jsonCopier } from './json-clone.ts';

describe('cloneJson', () => {
  it('copies every object and array, so changing the copy leaves the original as it was', () => {
    const original = { id: 1, name: 'Ada', roles: ['admin', { scope: 'x' }], profile: { age: 36, tags: [] } };
    const copy = cloneJson(original);
    expect(copy).toEqual(original);
    copy.roles.push('user');
    (copy.roles[1] as { scope: string }).scope = 'y';
    copy.profile.age = 1;
    expect(original).toEqual({
      id: 1,
      name: 'Ada',
      roles: ['admin', { scope: 'x' }],
      profile: { age: 36, tags: [] },
    });
  });

  it('gives plain objects, as structuredClone does, also for a null-prototype original', () => {
    const original = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    const copy = cloneJson(original);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(copy).toEqual(structuredClone(original));
  });

  it('drops an own __proto__ key instead of setting the prototype of the copy', () => {
    const original = JSON.parse('{"a":1,"__proto__":{"isAdmin":true}}') as Record<string, unknown>;
    const copy = cloneJson(original);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { isAdmin?: unknown }).isAdmin).toBeUndefined();
    expect(Object.keys(copy)).toEqual(['a']);
  });

  it('returns primitives as they are', () => {
    for (const value of ['s', 0, -0, Number.NaN, true, null, undefined]) expect(cloneJson(value)).toBe(value);
  });
});

describe('isJsonTree', () => {
  it('accepts records made of plain objects, arrays and primitives', () => {
    expect(
      isJsonTree({ id: 1, name: 'Ada', ok: true, none: null, skip: undefined, list: [1, 'a', [{}]] }),
    ).toBe(true);
    expect(isJsonTree(Object.assign(Object.create(null) as object, { a: 1 }))).toBe(true);
    expect(isJsonTree('text')).toBe(true);
  });

  it('refuses what a plain copy would not copy as structuredClone does', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const shared = { a: 1 };
    const holes = new Array<number>(3);
    holes[0] = 1;
    const extra = Object.assign([1], { note: 'x' });
    const accessor = Object.defineProperty({}, 'a', { get: () => 1, enumerable: true });
    class User {
      id = 1;
    }
    for (const value of [
      new Date(0),
      new Map(),
      new Uint8Array(1),
      new User(),
      () => 1,
      Symbol('s'),
      1n,
      cycle,
      { left: shared, right: shared },
      holes,
      extra,
      accessor,
      JSON.parse('{"__proto__":{}}'),
      { nested: { when: new Date(0) } },
    ]) {
      expect(isJsonTree(value)).toBe(false);
    }
  });
});

describe('isFlatObject', () => {
  it('is true only for an object without nested objects or arrays', () => {
    for (const value of [{}, { id: 1, email: 'a@b', admin: false, note: null, gone: undefined }]) {
      expect(isFlatObject(value)).toBe(true);
    }
    const bare = Object.assign(Object.create(null) as object, { id: 1 });
    expect(isFlatObject(bare)).toBe(true);
    for (const value of [
      null,
      undefined,
      1,
      'text',
      [],
      [1, 2],
      { roles: [] },
      { profile: {} },
      { profile: null, at: new Date(0) },
    ]) {
      expect(isFlatObject(value)).toBe(false);
    }
  });
});

describe('jsonCopier', () => {
  it('picks a spread for a flat record and cloneJson otherwise; both copy exactly', () => {
    const flat = { id: 1, email: 'a@b', admin: false };
    const nested = { id: 1, roles: ['user'], profile: { name: 'Ada' } };
    expect(jsonCopier(flat)).not.toBe(cloneJson);
    expect(jsonCopier(nested)).toBe(cloneJson);
    expect(jsonCopier([1, 2])).toBe(cloneJson);
    const copy = jsonCopier(flat)(flat);
    expect(copy).toEqual(flat);
    expect(copy).not.toBe(flat);
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { id: 1 });
    expect(Object.getPrototypeOf(jsonCopier(bare)(bare))).toBe(Object.prototype);
  });
});
