import type { KeyObject } from 'node:crypto';
import type { JwsAlgorithm } from './algorithms.ts';

/** A key that signs: a private key (RS/PS/ES/EdDSA) or a secret (HS), with its algorithm and optional `kid`. */
export interface SigningKey {
  /** Put in the token header so verifiers can select the key. */
  kid?: string;
  /** The algorithm this key signs with. */
  alg: JwsAlgorithm;
  /** A private or secret `KeyObject`, imported once. */
  key: KeyObject;
}

/** A key the verifier uses, with the one algorithm it may verify. */
export interface ResolvedVerificationKey {
  /** A public or secret `KeyObject`, imported once. */
  key: KeyObject;
  /** The algorithm this key verifies; the token's `alg` must equal it. */
  alg: JwsAlgorithm;
}

/**
 * Where the verifier finds keys: static configured keys, or a key ring.
 *
 * MUST be synchronous and answer from memory (the verify hot path does no key import and no store round
 * trip). `header.kid` is an untrusted string: use it only as a lookup key. MUST NOT throw; returns
 * `undefined` for an unknown key. Embedded `jwk`, `jku`, `x5u`, `x5c` headers are never passed here.
 */
export interface VerificationKeySource {
  /**
   * @param header - The token's `alg` and, when it is a string, its `kid`.
   * @returns The key and its algorithm, or `undefined` when unknown.
   */
  resolve(header: { alg: string; kid?: string }): ResolvedVerificationKey | undefined;
  /**
   * Optional, for sources whose keys change (a key ring): calls `listener` after the set of keys that
   * verify changed (a key published, retired or revoked). Caches of verified tokens drop, then, the
   * entries whose key no longer resolves.
   * @returns A function that removes the listener.
   */
  onChange?(listener: () => void): () => void;
}

/** Where the signer gets its current key (static, or a key ring's active key). */
export interface SigningKeySource {
  /** The key to sign with now. */
  getSigningKey(): Promise<SigningKey> | SigningKey;
}

/** One configured verification key of a {@link StaticKeySource}. */
export interface StaticKeyEntry extends ResolvedVerificationKey {
  /** When set, a token carrying a different `kid` does not match this key. */
  kid?: string;
}

/**
 * A {@link VerificationKeySource} over a fixed list of pre-imported keys (`secret`, `publicKey`).
 *
 * A key matches when its algorithm equals the token's `alg` and, if both have one, the `kid`s are equal.
 * @example
 * ```ts
 * const source = new StaticKeySource([{ alg: 'ES256', key: createPublicKey(pem) }]);
 * source.resolve({ alg: 'ES256' }); // { alg: 'ES256', key }
 * ```
 */
export class StaticKeySource implements VerificationKeySource {
  readonly #entries: readonly StaticKeyEntry[];

  /** @param entries - The keys, already imported and policy-checked. */
  constructor(entries: readonly StaticKeyEntry[]) {
    this.#entries = Object.freeze([...entries]);
  }

  /** The configured keys. */
  get entries(): readonly StaticKeyEntry[] {
    return this.#entries;
  }

  /** {@inheritDoc VerificationKeySource.resolve} */
  resolve(header: { alg: string; kid?: string }): ResolvedVerificationKey | undefined {
    for (const entry of this.#entries) {
      if (entry.alg !== header.alg) continue;
      if (entry.kid !== undefined && header.kid !== undefined && entry.kid !== header.kid) continue;
      return { key: entry.key, alg: entry.alg };
    }
    return undefined;
  }
}
