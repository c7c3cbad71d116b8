import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { isJwsAlgorithm, type JwsAlgorithm } from '../key-material/algorithms.ts';
import type { ResolvedVerificationKey, VerificationKeySource } from '../key-material/key-source.ts';
import { assertKeyPolicy, keyFitsAlgorithm } from '../key-material/key-policy.ts';
import { findBadMemberName } from '../token/strict-json.ts';
import { PRIVATE_JWK_MEMBERS } from './public-jwk.ts';

/** Why a fetched JWK Set was refused (whole): kept server-side, reported through `onError`. */
export class JwksRefusedError extends Error {
  override readonly name = 'JwksRefusedError';
}

interface Entry {
  kid: string | undefined;
  alg: JwsAlgorithm | undefined;
  key: KeyObject;
  /** Per-algorithm verdicts for a key without `alg`, computed once (the policy check is not cheap). */
  fits: Map<JwsAlgorithm, boolean>;
}

const PUBLIC_KTY = new Set(['RSA', 'EC', 'OKP']);

/**
 * A fetched JWK Set, validated and imported to `KeyObject`s once (per fetch, never per request).
 * Resolves keys for the strict verifier by `kid` and algorithm.
 * @internal
 */
export class RemoteKeySet implements VerificationKeySource {
  readonly #byKid: Map<string, Entry>;
  readonly #withoutKid: Entry[];
  readonly #allowed: ReadonlySet<JwsAlgorithm>;
  /** The kids in the set, in order. */
  readonly kids: readonly string[];

  private constructor(entries: Entry[], allowed: ReadonlySet<JwsAlgorithm>) {
    this.#byKid = new Map(entries.flatMap((e) => (e.kid === undefined ? [] : [[e.kid, e] as const])));
    this.#withoutKid = entries.filter((e) => e.kid === undefined);
    this.#allowed = allowed;
    this.kids = [...this.#byKid.keys()];
  }

  /**
   * Parses and validates a JWK Set. The set is refused WHOLE when it is not strict JSON, has a
   * symmetric (`oct`) key, any private member, duplicate kids, an encryption key (`use: 'enc'`), a `use`
   * other than `sig`, a `key_ops` that is not an array of strings, or a key that does not import: a set like that means the endpoint is misconfigured or compromised,
   * and picking the "good" keys out of it would hide that.
   * Keys that are merely unusable here (an algorithm outside the allow-list, `key_ops` without
   * `verify`, too weak for their algorithm) are skipped.
   * @throws JwksRefusedError
   */
  static parse(text: string, allowed: ReadonlySet<JwsAlgorithm>): RemoteKeySet {
    const bad = findBadMemberName(text);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new JwksRefusedError('JWKS is not valid JSON');
    }
    if (bad !== undefined) throw new JwksRefusedError('JWKS has a duplicate or forbidden member name');
    const keys = (doc as { keys?: unknown } | null)?.keys;
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !Array.isArray(keys)) {
      throw new JwksRefusedError('JWKS is not an object with a "keys" array');
    }
    const entries: Entry[] = [];
    const kids = new Set<string>();
    for (const [i, jwk] of keys.entries()) {
      if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) {
        throw new JwksRefusedError(`JWKS key ${i} is not an object`);
      }
      const k = jwk as Record<string, unknown>;
      if (k.kty === 'oct') throw new JwksRefusedError(`JWKS key ${i} is symmetric (oct)`);
      for (const member of PRIVATE_JWK_MEMBERS) {
        if (Object.hasOwn(k, member)) throw new JwksRefusedError(`JWKS key ${i} has a private member`);
      }
      if (k.use === 'enc') throw new JwksRefusedError(`JWKS key ${i} is an encryption key`);
      // RFC 7517 section 4.2/4.3: anything else than these shapes is a set we do not understand.
      if (k.use !== undefined && k.use !== 'sig')
        throw new JwksRefusedError(`JWKS key ${i} has an unknown "use"`);
      if (
        k.key_ops !== undefined &&
        (!Array.isArray(k.key_ops) || !k.key_ops.every((op) => typeof op === 'string'))
      )
        throw new JwksRefusedError(`JWKS key ${i} has a "key_ops" that is not an array of strings`);
      if (k.kid !== undefined) {
        if (typeof k.kid !== 'string') throw new JwksRefusedError(`JWKS key ${i} has a non-string kid`);
        if (kids.has(k.kid)) throw new JwksRefusedError('JWKS has duplicate kids');
        kids.add(k.kid);
      }
      if (typeof k.kty !== 'string' || !PUBLIC_KTY.has(k.kty)) {
        throw new JwksRefusedError(`JWKS key ${i} has an unsupported kty`);
      }
      let key: KeyObject;
      try {
        key = createPublicKey({ key: k as JsonWebKey, format: 'jwk' });
      } catch {
        throw new JwksRefusedError(`JWKS key ${i} does not import`);
      }
      if (Array.isArray(k.key_ops) && !k.key_ops.includes('verify')) continue;
      let alg: JwsAlgorithm | undefined;
      if (k.alg !== undefined) {
        if (!isJwsAlgorithm(k.alg) || !allowed.has(k.alg) || !fitsPolicy(key, k.alg)) continue;
        alg = k.alg;
      }
      entries.push({ kid: k.kid as string | undefined, alg, key, fits: new Map() });
    }
    return new RemoteKeySet(entries, allowed);
  }

  /** {@inheritDoc VerificationKeySource.resolve} */
  resolve(header: { alg: string; kid?: string }): ResolvedVerificationKey | undefined {
    const alg = header.alg;
    if (!isJwsAlgorithm(alg) || !this.#allowed.has(alg)) return undefined;
    if (header.kid !== undefined) {
      const entry = this.#byKid.get(header.kid);
      return entry && usable(entry, alg) ? { key: entry.key, alg } : undefined;
    }
    // No kid: only an unambiguous key is used, never "try them all".
    const candidates = [...this.#byKid.values(), ...this.#withoutKid].filter((e) => usable(e, alg));
    return candidates.length === 1 ? { key: candidates[0]!.key, alg } : undefined;
  }
}

function usable(entry: Entry, alg: JwsAlgorithm): boolean {
  if (entry.alg !== undefined) return entry.alg === alg;
  let fits = entry.fits.get(alg);
  if (fits === undefined) {
    fits = keyFitsAlgorithm(entry.key, alg) && fitsPolicy(entry.key, alg);
    entry.fits.set(alg, fits);
  }
  return fits;
}

function fitsPolicy(key: KeyObject, alg: JwsAlgorithm): boolean {
  try {
    assertKeyPolicy(key, alg, 'jwks');
    return true;
  } catch {
    return false;
  }
}
