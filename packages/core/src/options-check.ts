import { didYouMean } from './did-you-mean.ts';
import { BadRequest } from './errors.ts';

/**
 * A configuration error (400, reason `invalid-configuration`): thrown at construction or `setup()`,
 * never on a request. The message names the setting and MUST NOT contain key material.
 *
 * @param message - What is wrong and how to fix it.
 * @returns The error, for the caller to throw.
 */
export function configError(message: string): BadRequest {
  return new BadRequest(message, { reason: 'invalid-configuration' });
}

/**
 * Rejects unknown option keys with a did-you-mean hint, so a typo fails at construction instead of
 * being silently ignored.
 *
 * @param options - The options object a caller passed.
 * @param known - The accepted keys.
 * @param label - What the options configure (`sqliteAdapter()`...), for the message.
 * @throws BadRequest with reason `invalid-configuration` on the first unknown key.
 */
export function assertKnownOptions(options: object, known: readonly string[], label: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint = didYouMean(key, known);
    throw configError(
      `${label}: unknown option "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; known options: ${known.join(', ')}`,
    );
  }
}
