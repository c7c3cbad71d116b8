import type { ScryptParameters } from './scrypt-hash.ts';

/** The work of one scrypt derivation, in BlockMix units: N * r * p (time grows linearly with each). */
export function scryptWork({ logN, blockSize, parallelization }: ScryptParameters): number {
  return 2 ** logN * blockSize * parallelization;
}

/** The memory of one scrypt derivation's V array, in bytes: 128 * N * r. */
export function scryptMemory({ logN, blockSize }: ScryptParameters): number {
  return 128 * 2 ** logN * blockSize;
}

/**
 * True when a hash with `stored` parameters costs at most what `current` costs, in time and in memory:
 * the only stored hashes verified, so a tampered row cannot pin a CPU or exhaust memory, and every
 * verification can be padded up to exactly the current cost (invariant 12).
 */
export function withinCurrentCost(stored: ScryptParameters, current: ScryptParameters): boolean {
  return scryptWork(stored) <= scryptWork(current) && scryptMemory(stored) <= scryptMemory(current);
}

/**
 * The parameters of the one extra derivation that brings a check with `stored` parameters up to the
 * work of `current` ones, or `undefined` when they already cost the same. It uses the stored N (or the
 * current one, when smaller) so its memory traffic resembles the real check's; its `p` absorbs the
 * difference exactly (both works are multiples of that N). Its memory never exceeds the current cost's.
 *
 * @param stored - Parameters of the stored hash; MUST satisfy {@link withinCurrentCost}.
 * @param current - The hasher's parameters.
 */
export function paddingParameters(
  stored: ScryptParameters,
  current: ScryptParameters,
): ScryptParameters | undefined {
  const missing = scryptWork(current) - scryptWork(stored);
  if (missing <= 0) return undefined;
  const logN = Math.min(stored.logN, current.logN);
  const blockSize = missing % (2 ** logN * stored.blockSize) === 0 ? stored.blockSize : 1;
  return { logN, blockSize, parallelization: missing / (2 ** logN * blockSize) };
}
