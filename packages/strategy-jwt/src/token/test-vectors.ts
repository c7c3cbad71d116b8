import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The shared test vectors, read in place (never copied). A missing folder throws, so the tests that use
 * it fail instead of passing on nothing.
 */
export const VECTORS_DIR = fileURLToPath(new URL('../../../../../shared/vectors/', import.meta.url));

/** Reads one vector file (path relative to the vectors folder) as JSON. */
export function readVector<T = any>(path: string): T {
  const full = `${VECTORS_DIR}${path}`;
  if (!existsSync(full)) throw new Error(`Test vector missing: ${full}`);
  return JSON.parse(readFileSync(full, 'utf8')) as T;
}

/** A Wycheproof test case (the fields every schema shares). */
export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [field: string]: any;
}

/** A Wycheproof file: groups of tests. */
export interface WycheproofFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: Array<{ tests: WycheproofTest[]; [field: string]: any }>;
}
