import { isJwsAlgorithm, type JwsAlgorithm } from '../key-material/algorithms.ts';

// What the TokenService reads from a key ring without importing keys/: a ring is recognised by its methods
// and settings, so any source of the same shape works.

/** True when `value` has a method `name`. @internal */
export function hasFunction(value: unknown, name: string): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Record<string, unknown>)[name] === 'function'
  );
}

/** The ring's `maxTokenLifetime` in whole seconds, when the source is a key ring exposing its settings. @internal */
export function ringMaxLifetime(keyRing: object): number | undefined {
  const ms = (keyRing as { settings?: { maxTokenLifetime?: unknown } }).settings?.maxTokenLifetime;
  return typeof ms === 'number' && Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/** The algorithm a key ring signs with, when it exposes its settings (a `KeyRing` does). @internal */
export function ringAlgorithm(keyRing: object): JwsAlgorithm | undefined {
  const alg = (keyRing as { settings?: { algorithm?: unknown } }).settings?.algorithm;
  return isJwsAlgorithm(alg) ? alg : undefined;
}
