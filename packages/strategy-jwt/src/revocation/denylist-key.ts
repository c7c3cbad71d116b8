import { hash } from 'node:crypto';

/**
 * The store key for a (kind, issuer, id) triple: a digest, so that keys have a bounded length, no
 * delimiter ambiguity (`["a:b","c"]` vs `["a","b:c"]`) and no caller-chosen bytes in a Redis key.
 * One-shot `hash` (the same digest as `createHash`): it is computed on every revocation check.
 */
export function denylistKey(namespace: string, kind: 'jti' | 'sub', iss: string, id: string): string {
  return `${namespace}:${kind}:${hash('sha256', JSON.stringify([iss, id]), 'base64url')}`;
}

/** Digests remembered per denylist (cleared when full), and the longest `[iss, id]` JSON remembered. */
const MEMO_ENTRIES = 4096;
const MEMO_INPUT_CHARS = 512;

/**
 * {@link denylistKey} for one namespace, remembering recent digests: the same token (a verified-token cache
 * hit) or the same user is checked again and again, and the digest is most of the cost of an in-process check.
 * Bounded in entries and in input length, so that it cannot grow with what callers send.
 * @internal
 */
export class DenylistKeys {
  readonly #namespace: string;
  readonly #memo = new Map<string, string>();

  /** @param namespace - The prefix of every key. */
  constructor(namespace: string) {
    this.#namespace = namespace;
  }

  /** The key of (kind, iss, id); the same string as `denylistKey(namespace, kind, iss, id)`. */
  key(kind: 'jti' | 'sub', iss: string, id: string): string {
    const input = JSON.stringify([iss, id]);
    if (input.length > MEMO_INPUT_CHARS) return this.#digest(kind, input);
    // The kind cannot be confused with the JSON that follows it: that always starts with '['.
    const memoKey = kind + input;
    let key = this.#memo.get(memoKey);
    if (key === undefined) {
      key = this.#digest(kind, input);
      if (this.#memo.size >= MEMO_ENTRIES) this.#memo.clear();
      this.#memo.set(memoKey, key);
    }
    return key;
  }

  #digest(kind: 'jti' | 'sub', input: string): string {
    return `${this.#namespace}:${kind}:${hash('sha256', input, 'base64url')}`;
  }
}
