import { configError } from '@org/core/internal';
import { KeyObject, createPublicKey, type JsonWebKey } from 'node:crypto';
import type { JWK } from 'jose';
import { isJwsAlgorithm } from '../key-material/algorithms.ts';
import { importPrivateKey, importPublicKey } from '../key-material/key-import.ts';
import { assertKeyPolicy, defaultAlgorithmFor } from '../key-material/key-policy.ts';
import type { ImportedKey, KeyImportResult } from './imported-key.ts';
import type { KeyRing } from './key-ring.ts';
import { isAsymmetricAlgorithm, publicMembers } from './signing-key-pair.ts';
import { jwkThumbprint } from './jwk-thumbprint.ts';

/** A node-jose `JWK.KeyStore` (or anything that serialises to a JWK Set the same way). */
export interface NodeJoseKeyStoreLike {
  /**
   * @param exportPrivate - node-jose's flag to include private members; the import reads public halves only.
   * @returns A JWK Set.
   */
  toJSON(exportPrivate?: boolean): unknown;
}

/**
 * What {@link importKeys} reads: PEM text (one or more blocks: PKCS #8, PKCS #1, SEC1, SPKI, certificates),
 * a JWK, a JWK Set (including node-jose's `keystore.toJSON(true)`), a node-jose key store itself, JSON text
 * of any of these, a `KeyObject`, or an array of them.
 */
export type KeyImportSource =
  | string
  | JsonWebKey
  | { keys: readonly JsonWebKey[] }
  | NodeJoseKeyStoreLike
  | KeyObject
  | readonly KeyImportSource[];

/** Options of {@link importKeys}. */
export interface KeyImportOptions {
  /**
   * How long imported keys stay published (they verify, never sign).
   * @defaultValue the ring's `retention`
   */
  retainFor?: number;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

function flatten(source: KeyImportSource, out: Array<JsonWebKey | string | KeyObject>): void {
  if (source instanceof KeyObject) out.push(source);
  else if (typeof source === 'string') {
    const text = source.trim();
    if (text.startsWith('{') || text.startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw configError(`Key import: JSON text does not parse`);
      }
      flatten(parsed as KeyImportSource, out);
    } else {
      const blocks = text.match(PEM_BLOCK);
      if (!blocks) throw configError(`Key import: text is neither PEM nor JSON`);
      out.push(...blocks);
    }
  } else if (Array.isArray(source)) for (const item of source) flatten(item, out);
  else if (source && typeof source === 'object') {
    if (typeof (source as { toJSON?: unknown }).toJSON === 'function' && !('kty' in source)) {
      flatten((source as { toJSON(p: boolean): KeyImportSource }).toJSON(true), out); // a node-jose KeyStore
    } else if (Array.isArray((source as { keys?: unknown }).keys))
      flatten((source as { keys: JsonWebKey[] }).keys, out);
    else out.push(source as JsonWebKey);
  } else throw configError(`Key import: unsupported source`);
}

/**
 * Parses every key of `source` into its public half, checks it against the algorithm policy, and
 * computes its kid (the source's `kid` when it has one, else the RFC 7638 thumbprint).
 * @throws BadRequest (`invalid-configuration`) for an unreadable key, an `oct` (HS) key, or a key that
 * fails the policy (short RSA, wrong curve, algorithm mismatch).
 * @internal
 */
export function parseImportSource(source: KeyImportSource): ImportedKey[] {
  const items: Array<JsonWebKey | string | KeyObject> = [];
  flatten(source, items);
  return items.map((item, i) => {
    const setting = `import[${i}]`;
    const jwk = !(item instanceof KeyObject) && typeof item === 'object' ? item : undefined;
    if (jwk?.kty === 'oct' || (item instanceof KeyObject && item.type === 'secret')) {
      throw configError(`'${setting}' is a symmetric (HS) key; the key ring never holds or publishes one`);
    }
    const isPrivate =
      item instanceof KeyObject
        ? item.type === 'private'
        : jwk
          ? typeof jwk.d === 'string'
          : /PRIVATE KEY-----/.test(item as string);
    const key = isPrivate ? createPublicKey(importPrivateKey(item, setting)) : importPublicKey(item, setting);
    const declared = jwk?.alg;
    const alg = declared ?? defaultAlgorithmFor(key);
    if (declared !== undefined && !isJwsAlgorithm(declared))
      throw configError(`'${setting}.alg' '${String(declared)}' is not supported`);
    if (!isAsymmetricAlgorithm(alg))
      throw configError(`'${setting}' has no asymmetric algorithm the ring supports`);
    assertKeyPolicy(key, alg, setting);
    const publicJwk = publicMembers(key.export({ format: 'jwk' }) as Record<string, unknown>, alg);
    const thumbprint = publicJwk && jwkThumbprint(publicJwk);
    if (!publicJwk || !thumbprint) throw configError(`'${setting}' has no public JWK form for ${alg}`);
    const kid = typeof jwk?.kid === 'string' && /^[\x21-\x7e]{1,200}$/.test(jwk.kid) ? jwk.kid : thumbprint;
    return { publicKey: key, publicJwk, alg, kid, thumbprint };
  });
}

/**
 * Imports existing keys (PEM, JWK, JWK Set, a node-jose key store) into a ring's store as verify-only
 * keys: published at once, they verify tokens signed before the migration and never sign; only their
 * public halves are stored. A key keeps its `kid` when the source has one, so those tokens still find it.
 * @param ring - The ring (its store and KEK).
 * @param source - See {@link KeyImportSource}.
 * @param options - How long the keys stay published.
 * @throws BadRequest (`invalid-configuration`) for an unreadable, symmetric or policy-failing key;
 * Conflict (`conflict`) for a key whose kid another key of the ring already has (it would shadow that
 * key); Unavailable (`store-unavailable`).
 * @example
 * ```ts
 * const keystore = await nodeJose.JWK.asKeyStore(json);
 * await importKeys(ring, keystore);             // or a PEM string, a JWK, a JWK Set
 * ```
 */
export async function importKeys(
  ring: KeyRing,
  source: KeyImportSource,
  options: KeyImportOptions = {},
): Promise<KeyImportResult> {
  return ring.addVerificationKeys(parseImportSource(source), options.retainFor);
}

/**
 * The ring's public JWK Set as a plain, JSON-ready copy (public members, `kid`, `alg`, `use` only).
 * @param ring - The ring.
 * @example
 * ```ts
 * writeFileSync('jwks.json', JSON.stringify(exportJwks(ring), null, 2));
 * ```
 */
export function exportJwks(ring: KeyRing): { keys: JWK[] } {
  return { keys: ring.jwks().keys.map((key) => ({ ...key })) };
}
