import { BadRequest } from '@org/core';

function closest(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  return candidates.find((c) => {
    const other = c.toLowerCase();
    return other === lower || other.startsWith(lower) || lower.startsWith(other);
  });
}

/** Rejects unknown option keys at construction, with a did-you-mean hint for a likely typo. */
export function assertKnownOptions(options: object, known: readonly string[], label: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint = closest(key, known);
    throw new BadRequest(
      `${label}: unknown option "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; known options: ${known.join(', ')}`,
      { reason: 'invalid-configuration' },
    );
  }
}

/** A configuration error with the `invalid-configuration` reason. */
export function configError(message: string): BadRequest {
  return new BadRequest(message, { reason: 'invalid-configuration' });
}
