import { BadRequest } from '@org/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHttpTransport, type HttpTransportOptions } from './transport.ts';
import { createTestAuth } from './test-app.ts';

let auth: Awaited<ReturnType<typeof createTestAuth>>['auth'];
beforeAll(async () => {
  ({ auth } = await createTestAuth());
});

describe('createHttpTransport options', () => {
  const invalid: Array<[string, unknown, string]> = [
    [
      'an unknown option, with a hint',
      { bodylimit: 10 },
      'unknown option "bodylimit" (did you mean "bodyLimit"?)',
    ],
    ['a bad bodyLimit', { bodyLimit: 0 }, 'bodyLimit must be a whole number of bytes >= 1'],
    ['a jwks without respond()', { jwks: { jwks: () => ({ keys: [] }) } }, 'jwks must be a JwksEndpoint'],
    ['routes that are not a list', { routes: {} }, 'routes must be a list'],
    ['an empty realm', { realm: '' }, 'realm must be a non-empty string'],
    ['a bad trustProxy', { trustProxy: true }, 'trustProxy must be false or a list'],
    [
      'a route clashing with login',
      { routes: [{ method: 'POST', path: '/authentication', handler: () => ({ status: 200 }) }] },
      'Two routes answer POST /authentication',
    ],
    [
      'an unknown rateLimit option',
      { rateLimit: { acount: {} } },
      'rateLimit: unknown option "acount" (did you mean "account"?)',
    ],
    [
      'a bad bound',
      { rateLimit: { account: { points: 0 } } },
      'rateLimit.account.points must be a whole number >= 1',
    ],
    [
      'an unknown bound',
      { rateLimit: { address: { block: 1 } } },
      'rateLimit.address: unknown option "block"',
    ],
    ['a store without limiter()', { rateLimit: { store: {} } }, 'rateLimit.store must be a RateLimitStore'],
    ['a bad keyPrefix', { rateLimit: { keyPrefix: 'a b' } }, 'rateLimit.keyPrefix must be'],
  ];
  for (const [label, options, message] of invalid) {
    it(`refuses ${label} at construction`, () => {
      const create = () => createHttpTransport(auth, options as HttpTransportOptions);
      expect(create).toThrow(BadRequest);
      expect(create).toThrow(message);
    });
  }

  it('refuses something that is not an authentication service', () => {
    expect(() => createHttpTransport({} as never)).toThrow(
      'createHttpTransport() needs an AuthenticationService',
    );
  });

  it('lists its paths', () => {
    const transport = createHttpTransport(auth, {
      routes: [{ method: 'GET', path: '/oauth/:provider', handler: () => ({ status: 204 }) }],
    });
    expect(transport.paths).toEqual(['/authentication', '/oauth/:provider']);
  });
});
