import { BadRequest } from '@org/core';

/**
 * A configuration error: thrown at construction, never on a request.
 * The message names the setting and never contains key material.
 * @internal
 */
export function configError(message: string): BadRequest {
  return new BadRequest(message, { reason: 'invalid-configuration' });
}
