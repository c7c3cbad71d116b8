import { configError } from '@org/core/internal';
import { KeyObject, createPrivateKey, createPublicKey, createSecretKey, type JsonWebKey } from 'node:crypto';
import { assertNotKeyMaterial } from './find-key-material.ts';

/**
 * A key as configuration may hold it: a PEM string (SPKI, PKCS#8, PKCS#1, or an X.509 certificate for a
 * public key), a JWK object or its JSON text, DER bytes, or a node:crypto `KeyObject`.
 */
export type KeyInput = string | JsonWebKey | KeyObject | Uint8Array;

/**
 * A shared HMAC secret: a string (used as its UTF-8 bytes, as Feathers and jsonwebtoken do), raw bytes, an
 * `oct` JWK (object or JSON text) or a secret `KeyObject`.
 */
export type SecretInput = string | Uint8Array | JsonWebKey | KeyObject;

const PEM_MARKER = '-----BEGIN';

function parseJwkText(text: string, setting: string): JsonWebKey {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as JsonWebKey;
  } catch {
    // fall through to the error below
  }
  throw configError(`'${setting}' looks like JWK JSON text but does not parse as a JSON object`);
}

/**
 * Imports an HMAC secret once, at configuration time.
 *
 * Key material in any encoding is refused, whether given as a string, bytes, an `oct` JWK's `k` or a
 * secret `KeyObject` (see `findKeyMaterial`): PEM (any line ending, leading whitespace, in a Buffer), DER
 * keys and X.509 certificates, their hex or base64(url) text, RFC 4716 and OpenSSH public key files, a
 * non-`oct` JWK, an asymmetric `KeyObject`. Using a public key as an HMAC secret is the classic HS/RS
 * confusion attack (fast-jwt's advisory class).
 * @param input - The configured secret.
 * @param setting - The configuration path named in errors.
 * @throws BadRequest (`invalid-configuration`) when the input is not a usable secret.
 * @internal
 */
export function importSecret(input: SecretInput, setting = 'authentication.secret'): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type !== 'secret')
      throw configError(`'${setting}' is a ${input.type} key, not a shared secret`);
    assertNotKeyMaterial(input.export(), setting);
    return input;
  }
  if (typeof input === 'string') {
    const trimmed = input.trim();
    if (trimmed.startsWith('{')) return importSecret(parseJwkText(trimmed, setting), setting);
    if (input.length === 0) throw configError(`'${setting}' is empty`);
    return secretKey(Buffer.from(input, 'utf8'), setting);
  }
  if (input instanceof Uint8Array) return secretKey(Buffer.from(input), setting);
  if (input !== null && typeof input === 'object') {
    if (input.kty !== 'oct' || typeof input.k !== 'string') {
      throw configError(
        `'${setting}' is a JWK of type ${String(input.kty)}; a shared secret needs kty "oct"`,
      );
    }
    return secretKey(Buffer.from(input.k, 'base64url'), `${setting}.k`);
  }
  throw configError(`'${setting}' must be a string, bytes, an oct JWK or a secret KeyObject`);
}

/** Bytes as a secret key, after refusing key material in any encoding (invariant 11). */
function secretKey(bytes: Buffer, setting: string): KeyObject {
  if (bytes.length === 0) throw configError(`'${setting}' is empty`);
  assertNotKeyMaterial(bytes, setting);
  return createSecretKey(bytes);
}

/**
 * Imports a private (signing) key once, at configuration time.
 * @param input - PEM (PKCS#8, PKCS#1, SEC1), JWK object or text with `d`, DER bytes, or a private `KeyObject`.
 * @param setting - The configuration path named in errors.
 * @throws BadRequest (`invalid-configuration`) when the input is not a private key.
 * @internal
 */
export function importPrivateKey(input: KeyInput, setting = 'authentication.privateKey'): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type !== 'private') throw configError(`'${setting}' is a ${input.type} key, not a private key`);
    return input;
  }
  try {
    if (typeof input === 'string') {
      const trimmed = input.trim();
      if (trimmed.startsWith('{')) return importPrivateKey(parseJwkText(trimmed, setting), setting);
      if (!trimmed.includes(PEM_MARKER)) throw new Error('not PEM');
      return createPrivateKey(trimmed);
    }
    if (input instanceof Uint8Array) {
      const bytes = Buffer.from(input);
      for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
        try {
          return createPrivateKey({ key: bytes, format: 'der', type });
        } catch {
          // try the next encoding
        }
      }
      throw new Error('not DER');
    }
    if (input !== null && typeof input === 'object') {
      if (input.kty === 'oct')
        throw configError(`'${setting}' is an oct JWK; use 'authentication.secret' for HS*`);
      if (typeof input.d !== 'string')
        throw configError(`'${setting}' is a public JWK (no "d"); a private key is needed`);
      return createPrivateKey({ key: input, format: 'jwk' });
    }
  } catch (error) {
    if (error instanceof Error && error.name === 'BadRequest') throw error;
    throw configError(`'${setting}' is not a readable private key (PEM, JWK, DER or KeyObject)`);
  }
  throw configError(`'${setting}' must be a PEM string, a JWK, DER bytes or a KeyObject`);
}

/**
 * Imports a public (verification) key once, at configuration time. A private key input yields its
 * public half.
 * @param input - PEM (SPKI, PKCS#1, certificate), JWK object or text, DER bytes, or a `KeyObject`.
 * @param setting - The configuration path named in errors.
 * @throws BadRequest (`invalid-configuration`) when the input is not an asymmetric key.
 * @internal
 */
export function importPublicKey(input: KeyInput, setting = 'authentication.publicKey'): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type === 'secret') throw configError(`'${setting}' is a shared secret, not a public key`);
    return input.type === 'private' ? createPublicKey(input) : input;
  }
  try {
    if (typeof input === 'string') {
      const trimmed = input.trim();
      if (trimmed.startsWith('{')) return importPublicKey(parseJwkText(trimmed, setting), setting);
      if (!trimmed.includes(PEM_MARKER)) throw new Error('not PEM');
      return createPublicKey(trimmed);
    }
    if (input instanceof Uint8Array) {
      const bytes = Buffer.from(input);
      for (const type of ['spki', 'pkcs1'] as const) {
        try {
          return createPublicKey({ key: bytes, format: 'der', type });
        } catch {
          // try the next encoding
        }
      }
      throw new Error('not DER');
    }
    if (input !== null && typeof input === 'object') {
      if (input.kty === 'oct')
        throw configError(`'${setting}' is an oct JWK; use 'authentication.secret' for HS*`);
      return createPublicKey({ key: input, format: 'jwk' });
    }
  } catch (error) {
    if (error instanceof Error && error.name === 'BadRequest') throw error;
    throw configError(`'${setting}' is not a readable public key (PEM, JWK, DER or KeyObject)`);
  }
  throw configError(`'${setting}' must be a PEM string, a JWK, DER bytes or a KeyObject`);
}
