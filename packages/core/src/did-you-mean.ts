/**
 * The Levenshtein edit distance between two strings (insertions, deletions and substitutions each
 * cost 1), compared case-sensitively.
 *
 * @param a - The first string.
 * @param b - The second string.
 * @returns The number of single-character edits that turn `a` into `b`.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // One row of the dynamic-programming matrix is enough: each cell only needs its left and upper neighbours.
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The closest candidate to a misspelt name, or `undefined` when none is close enough to be a
 * plausible typo. A case-only difference always matches; otherwise the distance may be at most a
 * third of the name's length (at least 1, at most 3), so `jwtOption` finds `jwtOptions` but `foo`
 * does not find `local`.
 *
 * @param name - The unknown name.
 * @param candidates - The accepted names.
 * @returns The best candidate, ties broken by the order of `candidates`.
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate.toLowerCase() === lower) return candidate;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
