import { BadRequest } from '@org/core';
import { getPath } from './dot-path.ts';

/**
 * Reads one credential (username or password) from a request body.
 *
 * Absent, `null` and `''` mean "not given" (`undefined`); a string up to `maxLength` characters is
 * returned as is. Anything else — an object such as `{ "$ne": null }`, an array, a number, a string
 * that is too long — is a 400 and never reaches a query or the KDF.
 *
 * @param data - The request body.
 * @param field - The dot path of the field.
 * @param maxLength - The longest string accepted.
 * @throws BadRequest (`invalid-credentials-format`) for a value that is not a bounded string.
 */
export function readCredential(data: unknown, field: string, maxLength: number): string | undefined {
  const value = getPath(data, field);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new BadRequest(`'${field}' must be a string`, { reason: 'invalid-credentials-format' });
  }
  if (value.length > maxLength) {
    throw new BadRequest(`'${field}' must be at most ${maxLength} characters`, {
      reason: 'invalid-credentials-format',
    });
  }
  return value;
}
