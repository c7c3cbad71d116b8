import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { configError } from '@org/core/internal';

/** What a byte string was recognised as; the words fill "holds ___, not a shared secret". */
export interface KeyMaterial {
  /** `'a public key'`, `'a private key'`, `'an X.509 certificate'`, `'an SSH public key'` or `'a public JWK'`. */
  kind: 'a public key' | 'a private key' | 'an X.509 certificate' | 'an SSH public key' | 'a public JWK';
  /** How it was written, e.g. `PEM`, `DER`, `base64 DER`, `hex of PEM`, `RFC 4716`. */
  encoding: string;
}

/** The shortest DER public key, an Ed25519 SPKI, is 44 bytes; nothing shorter is decoded as text. */
const MIN_DER_BYTES = 44;
/** RFC 4716 section 3: the SSH2 public key file's begin marker (any number of dashes, any case). */
const SSH2_BEGIN = /-{4,} ?BEGIN SSH2 PUBLIC KEY ?-{4,}/i;
/** An OpenSSH public key line (`ssh-ed25519 AAAA...`), RFC 4253 section 6.6 names. */
const OPENSSH_LINE =
  /(?:^|\s)(?:ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+)(?:-cert-v01@openssh\.com)?\s+AAAA/i;
const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/;
/** The prefix of an SSH wire-format key blob: string(name), RFC 4251 section 5. */
const SSH_KEY_NAME = /^(?:ssh-|ecdsa-sha2-|sk-)[a-z0-9@.-]+$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function attempt(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}

/** DER (or PEM, which node:crypto also reads) of a key or certificate, by trying every parser. */
function parsedKind(data: Buffer | string): KeyMaterial['kind'] | undefined {
  if (attempt(() => new X509Certificate(data))) return 'an X.509 certificate';
  // Private first: node:crypto derives a public key from a private one.
  if (typeof data === 'string') {
    if (attempt(() => createPrivateKey(data))) return 'a private key';
    if (attempt(() => createPublicKey(data))) return 'a public key';
    return undefined;
  }
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const)
    if (attempt(() => createPrivateKey({ key: data, format: 'der', type }))) return 'a private key';
  for (const type of ['spki', 'pkcs1'] as const)
    if (attempt(() => createPublicKey({ key: data, format: 'der', type }))) return 'a public key';
  return undefined;
}

/** An SSH wire-format public key blob: a length-prefixed key type name such as `ssh-ed25519`. */
function isSshBlob(bytes: Buffer): boolean {
  if (bytes.length < 4 + 7) return false;
  const length = bytes.readUInt32BE(0);
  if (length < 7 || length > 64 || 4 + length > bytes.length) return false;
  return SSH_KEY_NAME.test(bytes.subarray(4, 4 + length).toString('latin1'));
}

/** The bytes of a text that is nothing but hex or base64/base64url (line breaks allowed). */
function decodedText(text: string): Array<{ bytes: Buffer; encoding: 'hex' | 'base64' }> {
  const compact = text.replace(/\s+/g, '');
  const out: Array<{ bytes: Buffer; encoding: 'hex' | 'base64' }> = [];
  if (compact.length >= 2 * MIN_DER_BYTES && /^(?:[0-9a-fA-F]{2})+$/.test(compact))
    out.push({ bytes: Buffer.from(compact, 'hex'), encoding: 'hex' });
  // Node's base64 decoder also reads the base64url alphabet.
  if (compact.length >= Math.ceil((MIN_DER_BYTES * 4) / 3) && /^[A-Za-z0-9+/_-]+={0,2}$/.test(compact))
    out.push({ bytes: Buffer.from(compact, 'base64'), encoding: 'base64' });
  return out;
}

/** The JSON text of a JWK that is not a shared secret, or an `oct` JWK whose `k` holds key material. */
function jwkText(text: string, depth: number): KeyMaterial | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { kty, k } = value as { kty?: unknown; k?: unknown };
  if (typeof kty === 'string' && kty !== 'oct') return { kind: 'a public JWK', encoding: `JWK, kty ${kty}` };
  if (kty === 'oct' && typeof k === 'string') {
    const found = search(Buffer.from(k, 'base64url'), depth + 1);
    if (found) return { kind: found.kind, encoding: `${found.encoding} in an oct JWK's "k"` };
  }
  return undefined;
}

function search(bytes: Buffer, depth: number): KeyMaterial | undefined {
  if (bytes.length === 0) return undefined;
  const binary = parsedKind(bytes);
  if (binary) return { kind: binary, encoding: 'DER' };
  if (isSshBlob(bytes)) return { kind: 'an SSH public key', encoding: 'SSH wire format' };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined; // not text: only the binary forms above apply
  }
  const trimmed = text.trim();
  if (SSH2_BEGIN.test(trimmed)) return { kind: 'an SSH public key', encoding: 'RFC 4716' };
  const pem = PEM_BEGIN.exec(trimmed);
  if (pem) {
    // Anything in PEM armour is key material of some kind; name it when node:crypto can read it.
    const kind = parsedKind(trimmed.slice(pem.index));
    if (kind) return { kind, encoding: 'PEM' };
    return {
      kind: /PRIVATE/.test(pem[1]!)
        ? 'a private key'
        : /CERTIFICATE/.test(pem[1]!)
          ? 'an X.509 certificate'
          : 'a public key',
      encoding: 'PEM',
    };
  }
  if (OPENSSH_LINE.test(trimmed)) return { kind: 'an SSH public key', encoding: 'OpenSSH' };
  if (trimmed.startsWith('{')) return jwkText(trimmed, depth);
  if (depth >= 2) return undefined;
  for (const { bytes: decoded, encoding } of decodedText(trimmed)) {
    const inner = search(decoded, depth + 1);
    if (inner)
      return {
        kind: inner.kind,
        encoding: inner.encoding === 'DER' ? `${encoding} DER` : `${encoding} of ${inner.encoding}`,
      };
  }
  return undefined;
}

/**
 * Finds public or private key material, or a certificate, in bytes meant as an HMAC secret: DER read by
 * node:crypto (SPKI, PKCS#1, PKCS#8, SEC1) and `X509Certificate`, an SSH wire-format blob, and in their
 * UTF-8 view PEM, RFC 4716 SSH2 and OpenSSH public key files, JWK text, and hex or base64(url) text of
 * any of these (a base64 PEM, as Kubernetes secrets hold them, included).
 *
 * Used at configuration time only: it tries several parsers.
 * @param bytes - The candidate secret.
 * @returns What it holds, or `undefined` for bytes that are no key material.
 * @internal
 */
export function findKeyMaterial(bytes: Uint8Array): KeyMaterial | undefined {
  return search(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0);
}

/**
 * Refuses key material as a shared secret, naming what it is and how it was written.
 * @param bytes - The candidate secret.
 * @param setting - The configuration path named in the error.
 * @throws BadRequest (`invalid-configuration`), e.g. `'authentication.secret' holds an X.509 certificate
 * (base64 DER), not a shared secret: ...`.
 * @internal
 */
export function assertNotKeyMaterial(bytes: Uint8Array, setting: string): void {
  const found = findKeyMaterial(bytes);
  if (!found) return;
  const why =
    found.kind === 'a private key'
      ? 'a private key signs with an asymmetric algorithm (configure it as the private key)'
      : 'public material used as an HMAC secret lets anyone who has it forge tokens (configure it as the public key of an asymmetric algorithm)';
  throw configError(`'${setting}' holds ${found.kind} (${found.encoding}), not a shared secret: ${why}`);
}
