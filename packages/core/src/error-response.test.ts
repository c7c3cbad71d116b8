import { describe, expect, it } from 'vitest';
import { errorResponse } from './error-response.ts';
import { MethodNotAllowed, NotAuthenticated, NotFound, TooManyRequests } from './errors.ts';

describe('errorResponse', () => {
  it('sends Feathers JSON with the status and a bare challenge for a 401 without credentials', () => {
    const response = errorResponse(new NotAuthenticated('Not authenticated', { reason: 'no-credentials' }));
    expect(response).toEqual({
      status: 401,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'www-authenticate': 'Bearer realm="api"',
      },
      body: {
        name: 'NotAuthenticated',
        message: 'Not authenticated',
        code: 401,
        className: 'not-authenticated',
        data: { reason: 'no-credentials' },
      },
    });
  });

  it('names the realm and describes an invalid token', () => {
    const response = errorResponse(new NotAuthenticated('jwt expired', { reason: 'token-expired' }), 'shop');
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="shop", error="invalid_token", error_description="jwt expired"',
    );
  });

  it('carries Allow on a 405 and Retry-After on a 429 from the error data', () => {
    expect(
      errorResponse(new MethodNotAllowed(undefined, { data: { allow: 'POST, DELETE' } })).headers,
    ).toEqual({
      'content-type': 'application/json; charset=utf-8',
      allow: 'POST, DELETE',
    });
    const limited = errorResponse(new TooManyRequests(undefined, { data: { retryAfter: 30 } }));
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('30');
    expect(limited.body.data).toEqual({ retryAfter: 30, reason: 'too-many-requests' });
    expect(errorResponse(new NotFound()).headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
    });
  });

  it('answers anything unexpected with a generic 500: no message, stack or cause', () => {
    const response = errorResponse(new Error('ECONNREFUSED 10.0.0.7:5432 password=hunter2'));
    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      name: 'GeneralError',
      message: 'General error',
      code: 500,
      className: 'general-error',
      data: { reason: 'general-error' },
    });
    expect(JSON.stringify(response)).not.toMatch(/hunter2|ECONNREFUSED|stack/);
  });
});
