import { BadRequest, UnsupportedMediaType } from '@org/core';
import { describe, expect, it } from 'vitest';
import { isJsonMediaType, parseJsonObject } from './json-body.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('parseJsonObject', () => {
  it('accepts application/json and +json types with parameters, any case', () => {
    for (const type of ['application/json', 'Application/JSON; charset=utf-8', 'application/vnd.api+json']) {
      expect(isJsonMediaType(type)).toBe(true);
    }
    for (const type of [
      undefined,
      '',
      'text/json',
      'application/jsonp',
      'application/json-seq',
      'text/plain',
    ]) {
      expect(isJsonMediaType(type)).toBe(false);
    }
  });

  it('returns plain objects with no prototype-reaching member at any depth', () => {
    const value = parseJsonObject(
      bytes('{"a":{"__proto__":{"x":1},"b":[{"constructor":{"prototype":{}},"c":1}]},"prototype":1}'),
      'application/json',
    );
    expect(value).toEqual({ a: { b: [{ c: 1 }] } });
    expect(Object.getPrototypeOf(value.a)).toBe(Object.prototype);
    expect(Object.hasOwn(value.a as object, '__proto__')).toBe(false);
  });

  it('refuses a non-JSON type (415) and bad bodies (400)', () => {
    expect(() => parseJsonObject(bytes('{}'), 'text/plain')).toThrow(UnsupportedMediaType);
    expect(() => parseJsonObject(bytes('{}'), undefined)).toThrow(UnsupportedMediaType);
    for (const text of ['', '{', '[]', '1', 'null', '"x"']) {
      expect(() => parseJsonObject(bytes(text), 'application/json')).toThrow(BadRequest);
    }
  });
});
