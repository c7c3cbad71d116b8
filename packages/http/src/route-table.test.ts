import { BadRequest } from '@org/core';
import { describe, expect, it } from 'vitest';
import type { HttpRoute } from './http-route.ts';
import { compileRoutes, matchRoute } from './route-table.ts';

const route = (path: string, method: HttpRoute['method'] = 'GET'): HttpRoute => ({
  method,
  path,
  handler: () => ({ status: 204 }),
});

describe('compileRoutes', () => {
  it('groups methods by path and computes Allow in a fixed order', () => {
    const [entry] = compileRoutes([route('/a', 'POST'), route('/a', ['DELETE', 'GET'])]);
    expect(entry!.allow).toBe('GET, HEAD, POST, DELETE, OPTIONS');
    expect([...entry!.methods.keys()]).toEqual(['POST', 'DELETE', 'GET']);
  });

  const invalid: Array<[string, unknown, RegExp]> = [
    ['a relative path', route('a'), /must start with "\/"/],
    ['a trailing slash', route('/a/'), /not end with one/],
    ['a bad segment', route('/a b'), /invalid segment "a b"/],
    ['a repeated parameter', route('/:id/:id'), /repeats the parameter :id/],
    ['an unknown method', route('/a', 'TRACE' as never), /method must be one or more of GET/],
    ['no methods', route('/a', []), /method must be one or more/],
    ['no handler', { method: 'GET', path: '/a' }, /needs \{ method, path, handler/],
  ];
  for (const [label, value, message] of invalid) {
    it(`refuses ${label} at construction`, () => {
      expect(() => compileRoutes([value as HttpRoute])).toThrow(BadRequest);
      expect(() => compileRoutes([value as HttpRoute])).toThrow(message);
    });
  }

  it('refuses two routes for one method and path, and patterns that shadow each other', () => {
    expect(() => compileRoutes([route('/a'), route('/a', ['GET', 'POST'])])).toThrow(
      'Two routes answer GET /a',
    );
    expect(() => compileRoutes([route('/u/:id'), route('/u/:name', 'POST')])).toThrow(
      'Route /u/:name shadows /u/:id',
    );
  });
});

describe('matchRoute', () => {
  const entries = compileRoutes([
    route('/oauth/:provider'),
    route('/oauth/:provider/callback'),
    route('/oauth/me'),
    route('/'),
  ]);

  it('matches literal segments exactly and decodes parameters', () => {
    expect(matchRoute(entries, '/oauth/git%2Fhub')?.params).toEqual({ provider: 'git/hub' });
    expect(matchRoute(entries, '/oauth/x/callback')?.entry.path).toBe('/oauth/:provider/callback');
    expect(matchRoute(entries, '/')?.entry.path).toBe('/');
  });

  it('prefers a literal segment over a parameter, as Fastify does', () => {
    expect(matchRoute(entries, '/oauth/me')?.entry.path).toBe('/oauth/me');
  });

  it('does not match a trailing slash, another case, an empty parameter or one that does not decode', () => {
    for (const path of [
      '/oauth/x/',
      '/OAUTH/x',
      '/oauth/',
      '/oauth/%E0%A4%A',
      '/oauth/x/callback/more',
      'oauth/x',
    ]) {
      expect(matchRoute(entries, path)).toBeUndefined();
    }
  });
});
