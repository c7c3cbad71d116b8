import { createHash } from 'node:crypto';

/**
 * The store key for a (kind, issuer, id) triple: a digest, so that keys have a bounded length, no
 * delimiter ambiguity (`["a:b","c"]` vs `["a","b:c"]`) and no caller-chosen bytes in a Redis key.
 */
export function denylistKey(namespace: string, kind: 'jti' | 'sub', iss: string, id: string): string {
  return `${namespace}:${kind}:${createHash('sha256')
    .update(JSON.stringify([iss, id]))
    .digest('base64url')}`;
}
