import { hash } from 'node:crypto';

/**
 * The store key for a (kind, issuer, id) triple: a digest, so that keys have a bounded length, no
 * delimiter ambiguity (`["a:b","c"]` vs `["a","b:c"]`) and no caller-chosen bytes in a Redis key.
 * One-shot `hash` (the same digest as `createHash`): it is computed on every revocation check.
 */
export function denylistKey(namespace: string, kind: 'jti' | 'sub', iss: string, id: string): string {
  return `${namespace}:${kind}:${hash('sha256', JSON.stringify([iss, id]), 'base64url')}`;
}
