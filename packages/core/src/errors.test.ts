import { NotAuthenticated as FeathersNotAuthenticated } from '@feathersjs/errors';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  BadRequest,
  Conflict,
  Forbidden,
  GeneralError,
  MethodNotAllowed,
  NotAuthenticated,
  NotFound,
  PayloadTooLarge,
  TooManyRequests,
  Unavailable,
  UnsupportedMediaType,
  isAuthError,
  toAuthError,
} from './errors.ts';
import { ERROR_REASONS } from './reasons.ts';

describe('errors', () => {
  const table = [
    [BadRequest, 'BadRequest', 'bad-request', 400, 'Bad request', 'bad-request'],
    [
      NotAuthenticated,
      'NotAuthenticated',
      'not-authenticated',
      401,
      'Not authenticated',
      'not-authenticated',
    ],
    [Forbidden, 'Forbidden', 'forbidden', 403, 'Forbidden', 'forbidden'],
    [NotFound, 'NotFound', 'not-found', 404, 'Not found', 'not-found'],
    [
      MethodNotAllowed,
      'MethodNotAllowed',
      'method-not-allowed',
      405,
      'Method not allowed',
      'method-not-allowed',
    ],
    [Conflict, 'Conflict', 'conflict', 409, 'Conflict', 'conflict'],
    [PayloadTooLarge, 'PayloadTooLarge', 'payload-too-large', 413, 'Payload too large', 'payload-too-large'],
    [
      UnsupportedMediaType,
      'UnsupportedMediaType',
      'unsupported-media-type',
      415,
      'Unsupported media type',
      'unsupported-media-type',
    ],
    [TooManyRequests, 'TooManyRequests', 'too-many-requests', 429, 'Too many requests', 'too-many-requests'],
    [GeneralError, 'GeneralError', 'general-error', 500, 'General error', 'general-error'],
    [Unavailable, 'Unavailable', 'unavailable', 503, 'Service unavailable', 'unavailable'],
  ] as const;

  for (const [ErrorClass, name, className, code, message, reason] of table) {
    it(`${name}: ${code}, Feathers' JSON shape, a default reason`, () => {
      const error = new ErrorClass();
      expect(error).toBeInstanceOf(AuthError);
      expect(error).toBeInstanceOf(Error);
      expect(isAuthError(error)).toBe(true);
      expect(error.name).toBe(name);
      expect(error.code).toBe(code);
      expect(error.message).toBe(message);
      expect(error.toJSON()).toEqual({ name, message, code, className, data: { reason } });
      // What a caller catches is what a client receives (Feathers' error.data is its JSON data too).
      expect(error.data).toEqual(error.toJSON().data);
    });
  }

  it('takes its code from the reason table and keeps data, never the cause, in JSON', () => {
    const cause = new Error('password=hunter2');
    const error = new NotAuthenticated('jwt expired', { reason: 'token-expired', data: { at: 1 }, cause });
    expect(error.reason).toBe('token-expired');
    expect(error.code).toBe(ERROR_REASONS['token-expired']);
    expect(error.cause).toBe(cause);
    expect(error.toJSON()).toEqual({
      name: 'NotAuthenticated',
      message: 'jwt expired',
      code: 401,
      className: 'not-authenticated',
      data: { at: 1, reason: 'token-expired' },
    });
    expect(JSON.stringify(error)).not.toContain('hunter2');
    expect(error.data).toEqual({ at: 1, reason: 'token-expired' });
    // data cannot carry a reason other than the error's own.
    expect(
      new BadRequest('x', { reason: 'bad-request', data: { reason: 'forbidden' } }).toJSON().data,
    ).toEqual({
      reason: 'bad-request',
    });
    expect(new BadRequest('x').cause).toBeUndefined();
  });

  it('puts every reason in one table with a status', () => {
    for (const status of Object.values(ERROR_REASONS))
      expect([400, 401, 403, 404, 405, 409, 413, 415, 429, 500, 503]).toContain(status);
    expect(ERROR_REASONS['entity-not-found']).toBe(401);
    expect(ERROR_REASONS['invalid-configuration']).toBe(400);
  });

  it('isAuthError is false for anything else', () => {
    expect(isAuthError(new Error('x'))).toBe(false);
    expect(isAuthError({ code: 401 })).toBe(false);
    expect(isAuthError(null)).toBe(false);
  });

  describe('toAuthError', () => {
    it('passes toolkit errors through', () => {
      const error = new Forbidden();
      expect(toAuthError(error)).toBe(error);
    });

    it('keeps the status of errors carrying a Feathers-style code, with the original as cause', () => {
      const cases = [
        [400, BadRequest],
        [401, NotAuthenticated],
        [403, Forbidden],
        [404, NotFound],
        [405, MethodNotAllowed],
        [409, Conflict],
        [413, PayloadTooLarge],
        [415, UnsupportedMediaType],
        [429, TooManyRequests],
        [503, Unavailable],
      ] as const;
      for (const [code, ErrorClass] of cases) {
        const original = Object.assign(new Error(`status ${code}`), { code });
        const mapped = toAuthError(original);
        expect(mapped).toBeInstanceOf(ErrorClass);
        expect(mapped.message).toBe(`status ${code}`);
        expect(mapped.cause).toBe(original);
      }
      for (const [statusCode, ErrorClass] of cases) {
        // Fastify's and http-errors' shape: a string `code` beside a numeric `statusCode`.
        const original = Object.assign(new Error(`status ${statusCode}`), { code: 'FST_ERR_X', statusCode });
        expect(toAuthError(original)).toBeInstanceOf(ErrorClass);
      }
      const feathers = toAuthError(new FeathersNotAuthenticated('jwt malformed'));
      expect(feathers).toBeInstanceOf(NotAuthenticated);
      expect(feathers.message).toBe('jwt malformed');
    });

    it('turns anything else into a 500 General error, keeping the cause server-side', () => {
      for (const value of [
        new TypeError('x is undefined'),
        'a string',
        null,
        { code: 418 },
        { code: '401' },
        { statusCode: 500, message: 'connection to db-internal:5432 refused' },
        { statusCode: 402 },
      ]) {
        const mapped = toAuthError(value);
        expect(mapped).toBeInstanceOf(GeneralError);
        expect(mapped.message).toBe('General error');
        expect(mapped.cause).toBe(value);
      }
    });

    it('uses the default message when the coded error has none', () => {
      expect(toAuthError({ code: 401 }).message).toBe('Not authenticated');
    });
  });
});
