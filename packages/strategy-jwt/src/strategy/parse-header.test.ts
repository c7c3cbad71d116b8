import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { NotAuthenticated } from '@org/core';
import { describe, expect, it } from 'vitest';
import { readAccessToken } from './parse-header.ts';

const options = { header: 'Authorization', schemes: ['Bearer', 'JWT'] };

/** A real IncomingMessage with raw header lines, as Node's parser fills it in. */
function nodeRequest(lines: [string, string][], url = '/'): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.url = url;
  req.rawHeaders = lines.flat();
  const headers: Record<string, string> = {};
  // Node keeps the first Authorization line and discards duplicates.
  for (const [k, v] of lines) headers[k.toLowerCase()] ??= v;
  req.headers = headers;
  return req;
}

function fetchRequest(lines: [string, string][], url = 'http://localhost/'): Request {
  const headers = new Headers();
  for (const [k, v] of lines) headers.append(k, v);
  return new Request(url, { headers });
}

function expectReason(fn: () => unknown, reason: string, message: string): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(NotAuthenticated);
  expect(error).toMatchObject({ reason, code: 401, message });
}

const AMBIGUOUS = 'More than one access token in the request';

describe.each([
  ['IncomingMessage', nodeRequest],
  ['Fetch Request', fetchRequest],
] as const)('readAccessToken from a %s', (_name, make) => {
  const read = (lines: [string, string][], url?: string, opts = options) =>
    readAccessToken(make(lines, url), opts);

  it('reads `Bearer <token>` and `JWT <token>`', () => {
    expect(read([['Authorization', 'Bearer abc.def.ghi']])).toBe('abc.def.ghi');
    expect(read([['Authorization', 'JWT abc.def.ghi']])).toBe('abc.def.ghi');
  });

  it('matches the scheme case-insensitively, and the header name too', () => {
    expect(read([['authorization', 'bearer abc']])).toBe('abc');
    expect(read([['AUTHORIZATION', 'BEARER abc']])).toBe('abc');
    expect(read([['Authorization', 'jwt abc']])).toBe('abc');
  });

  it('matches the scheme exactly: a scheme containing `Bearer` is not `Bearer`', () => {
    expect(read([['Authorization', 'MyBearerX abc']])).toBeNull();
    expect(read([['Authorization', 'Bearers abc']])).toBeNull();
    expect(read([['Authorization', 'XJWT abc']])).toBeNull();
  });

  it('accepts a bare token without a scheme, as Feathers does', () => {
    expect(read([['Authorization', 'abc.def.ghi']])).toBe('abc.def.ghi');
    expect(read([['Authorization', '  abc.def.ghi  ']])).toBe('abc.def.ghi');
  });

  it('treats a scheme alone as no token', () => {
    expect(read([['Authorization', 'Bearer']])).toBeNull();
    expect(read([['Authorization', 'Bearer    ']])).toBeNull();
    expect(read([['Authorization', 'JWT\t']])).toBeNull();
  });

  it('returns null without the header, with an empty one, and for another scheme', () => {
    expect(read([])).toBeNull();
    expect(read([['Authorization', '']])).toBeNull();
    expect(read([['Authorization', 'Basic dXNlcjpwYXNz']])).toBeNull();
    expect(read([['Authorization', 'Digest username="a", realm="b", nonce="c"']])).toBeNull();
  });

  it('reads a custom header with custom schemes', () => {
    const custom = { header: 'X-Auth', schemes: ['Token'] };
    expect(read([['x-auth', 'Token abc']], undefined, custom)).toBe('abc');
    expect(read([['Authorization', 'Token abc']], undefined, custom)).toBeNull();
    expect(read([['x-auth', 'Bearer abc']], undefined, custom)).toBeNull();
  });

  it('rejects two tokens after one scheme as malformed', () => {
    expectReason(
      () => read([['Authorization', 'Bearer a b']]),
      'token-malformed',
      'Malformed authorization header',
    );
  });

  it('rejects two Authorization header lines', () => {
    expectReason(
      () =>
        read([
          ['Authorization', 'Bearer a'],
          ['Authorization', 'Bearer b'],
        ]),
      'ambiguous-credentials',
      AMBIGUOUS,
    );
  });

  it('rejects comma-joined duplicates', () => {
    expectReason(() => read([['Authorization', 'Bearer a, Bearer b']]), 'ambiguous-credentials', AMBIGUOUS);
    expectReason(() => read([['Authorization', 'Bearer a,b']]), 'ambiguous-credentials', AMBIGUOUS);
    expectReason(() => read([['Authorization', 'a,b']]), 'ambiguous-credentials', AMBIGUOUS);
    expectReason(() => read([['Authorization', 'a, b']]), 'ambiguous-credentials', AMBIGUOUS);
    expectReason(() => read([['Authorization', 'Basic x, Bearer b']]), 'ambiguous-credentials', AMBIGUOUS);
  });

  it('rejects a token in the header plus an access_token query parameter', () => {
    const url =
      make === nodeRequest ? '/messages?access_token=b' : 'http://localhost/messages?access_token=b';
    expectReason(() => read([['Authorization', 'Bearer a']], url), 'ambiguous-credentials', AMBIGUOUS);
  });

  it('never reads a token from the query string alone', () => {
    const url = make === nodeRequest ? '/?access_token=b' : 'http://localhost/?access_token=b';
    expect(read([], url)).toBeNull();
    const other = make === nodeRequest ? '/?not_access_token_x=1' : 'http://localhost/?x=access_token';
    expect(read([['Authorization', 'Bearer a']], other)).toBe('a');
  });
});

describe('readAccessToken from a plain headers object', () => {
  it('reads a string and treats an array of two values as two credentials', () => {
    expect(readAccessToken({ headers: { authorization: 'Bearer a' } }, options)).toBe('a');
    expectReason(
      () => readAccessToken({ headers: { authorization: ['Bearer a', 'Bearer b'] } }, options),
      'ambiguous-credentials',
      AMBIGUOUS,
    );
    expect(readAccessToken({ headers: {} }, options)).toBeNull();
    expect(readAccessToken({}, options)).toBeNull();
  });

  it('ignores a URL it cannot parse', () => {
    expect(
      readAccessToken({ headers: { authorization: 'Bearer a' }, url: 'http://[access_token' }, options),
    ).toBe('a');
  });
});
