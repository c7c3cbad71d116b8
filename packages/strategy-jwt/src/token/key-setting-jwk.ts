import { KeyObject } from 'node:crypto';
import { configError } from '@org/core/internal';
import type { JwsAlgorithm } from '../key-material/algorithms.ts';
import { jwkMetadata } from '../key-material/jwk-metadata.ts';

/** A key setting given as a JWK object or its JSON text; `undefined` for PEM, DER or a `KeyObject`. */
function asJwk(input: unknown): Readonly<Record<string, unknown>> | undefined {
  let value = input;
  if (typeof input === 'string') {
    if (!input.trim().startsWith('{')) return undefined;
    try {
      value = JSON.parse(input);
    } catch {
      return undefined; // the importer reports it
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if (value instanceof KeyObject || value instanceof Uint8Array) return undefined;
  return value as Record<string, unknown>;
}

/**
 * The `kid` of a key setting given as a JWK (object or JSON text).
 * @internal
 */
export function jwkKid(input: unknown): string | undefined {
  const kid = asJwk(input)?.kid;
  return typeof kid === 'string' ? kid : undefined;
}

/** What each key setting does, for its JWK's `key_ops`: a shared secret both signs and verifies. */
const KEY_SETTING_OPERATIONS = {
  secret: [['sign'], ['verify']],
  privateKey: [['sign']],
  publicKey: [['verify']],
} as const;

/**
 * The algorithm the configured JWKs declare (`alg`), after honouring their `use` and `key_ops`; the JWKs
 * must agree with each other and with `jwtOptions.algorithm`.
 * @param inputs - The `secret`, `privateKey` and `publicKey` settings (any may be absent or not a JWK).
 * @param explicit - `jwtOptions.algorithm`, when configured.
 * @throws BadRequest (`invalid-configuration`) naming the JWK member that does not fit.
 * @internal
 */
export function declaredAlgorithm(
  inputs: Readonly<Record<keyof typeof KEY_SETTING_OPERATIONS, unknown>>,
  explicit: JwsAlgorithm | undefined,
): JwsAlgorithm | undefined {
  let declared: { alg: JwsAlgorithm; setting: string } | undefined;
  for (const [name, checks] of Object.entries(KEY_SETTING_OPERATIONS)) {
    const jwk = asJwk(inputs[name as keyof typeof KEY_SETTING_OPERATIONS]);
    if (jwk === undefined) continue;
    const setting = `authentication.${name}`;
    let alg: JwsAlgorithm | undefined;
    for (const operations of checks) alg = jwkMetadata(jwk, setting, operations);
    if (alg === undefined) continue;
    if (explicit !== undefined && alg !== explicit) {
      throw configError(
        `'${setting}.alg' is ${alg} but 'authentication.jwtOptions.algorithm' is ${explicit}: the key is only for ${alg}`,
      );
    }
    if (declared !== undefined && declared.alg !== alg) {
      throw configError(`'${declared.setting}.alg' is ${declared.alg} but '${setting}.alg' is ${alg}`);
    }
    declared = { alg, setting };
  }
  return declared?.alg;
}
