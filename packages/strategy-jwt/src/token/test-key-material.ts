// Test support: public (and private) key material in every form and encoding people paste into a
// `secret` setting, for the HS/RS confusion class of the attack catalogue.
import { createSecretKey, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { SecretInput } from '../key-material/key-import.ts';
import { EC256, ED25519, RSA } from './test-keys.ts';

type Pair = { privateKey: KeyObject; publicKey: KeyObject };

// ---- a minimal DER writer, enough for a self-signed X.509 certificate (RFC 5280 section 4.1) ----

function der(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  const n = body.length;
  const length =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
const seq = (...c: Buffer[]) => der(0x30, ...c);
const oid = (dotted: string): Buffer => {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [40 * a + b];
  for (const value of rest) {
    const chunk = [value & 0x7f];
    for (let v = value >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
};
const utcTime = (text: string) => der(0x17, Buffer.from(text, 'latin1'));
const name = (cn: string) => seq(der(0x31, seq(oid('2.5.4.3'), der(0x0c, Buffer.from(cn)))));

/** The signature algorithm identifier and hash for a certificate signed by `pair`. */
function signatureAlgorithm(pair: Pair): { id: Buffer; hash: string | null } {
  switch (pair.privateKey.asymmetricKeyType) {
    case 'rsa':
      return { id: seq(oid('1.2.840.113549.1.1.11'), der(0x05)), hash: 'sha256' };
    case 'ec':
      return { id: seq(oid('1.2.840.10045.4.3.2')), hash: 'sha256' };
    default:
      return { id: seq(oid('1.3.101.112')), hash: null }; // Ed25519
  }
}

/** A self-signed X.509 v3 certificate for `pair`, as DER. */
export function selfSignedCertificate(pair: Pair, cn = 'api.example'): Buffer {
  const { id, hash } = signatureAlgorithm(pair);
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, Buffer.from([0x01, 0x23, 0x45])),
    id,
    name(cn),
    seq(utcTime('250101000000Z'), utcTime('350101000000Z')),
    name(cn),
    pair.publicKey.export({ format: 'der', type: 'spki' }),
  );
  const signature = sign(hash, tbs, pair.privateKey);
  return seq(tbs, id, der(0x03, Buffer.from([0]), signature));
}

// ---- SSH public keys (RFC 4253 section 6.6, RFC 5656, RFC 8709) ----

function sshString(bytes: Buffer | string): Buffer {
  const body = Buffer.from(bytes);
  const out = Buffer.alloc(4 + body.length);
  out.writeUInt32BE(body.length);
  body.copy(out, 4);
  return out;
}
const mpint = (b64url: string) => {
  const bytes = Buffer.from(b64url, 'base64url');
  return sshString(bytes[0]! & 0x80 ? Buffer.concat([Buffer.alloc(1), bytes]) : bytes);
};

/** The SSH wire-format blob of a public key, and its type name. */
export function sshBlob(publicKey: KeyObject): { type: string; blob: Buffer } {
  const jwk = publicKey.export({ format: 'jwk' });
  switch (publicKey.asymmetricKeyType) {
    case 'rsa':
      return { type: 'ssh-rsa', blob: Buffer.concat([sshString('ssh-rsa'), mpint(jwk.e!), mpint(jwk.n!)]) };
    case 'ec': {
      const point = Buffer.concat([
        Buffer.from([4]),
        Buffer.from(jwk.x!, 'base64url'),
        Buffer.from(jwk.y!, 'base64url'),
      ]);
      const type = 'ecdsa-sha2-nistp256';
      return { type, blob: Buffer.concat([sshString(type), sshString('nistp256'), sshString(point)]) };
    }
    default:
      return {
        type: 'ssh-ed25519',
        blob: Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.from(jwk.x!, 'base64url'))]),
      };
  }
}

/** An OpenSSH `authorized_keys` line. */
export function openSshLine(publicKey: KeyObject): string {
  const { type, blob } = sshBlob(publicKey);
  return `${type} ${blob.toString('base64')} ops@example.com\n`;
}

/** An RFC 4716 "SSH2 public key" file. */
export function ssh2File(publicKey: KeyObject): string {
  const body = sshBlob(publicKey)
    .blob.toString('base64')
    .replace(/(.{70})/g, '$1\n')
    .trimEnd();
  return `---- BEGIN SSH2 PUBLIC KEY ----\nComment: "ops@example.com"\n${body}\n---- END SSH2 PUBLIC KEY ----\n`;
}

const pem = (label: string, bytes: Buffer) =>
  `-----BEGIN ${label}-----\n${bytes
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END ${label}-----\n`;

// ---- the catalogue ----

/** The kind of material, as the refusal names it. */
export type MaterialKind = 'a public key' | 'a private key' | 'an X.509 certificate' | 'an SSH public key';

/** One form of key material: what it is and its canonical bytes (DER, or the SSH blob). */
export interface MaterialForm {
  name: string;
  kind: MaterialKind;
  der?: Buffer;
  pemLabel?: string;
  ssh?: KeyObject;
}

/** Every form: public keys of each type (SPKI and PKCS#1), certificates, SSH keys, and a private key. */
export const MATERIAL_FORMS: readonly MaterialForm[] = [
  {
    name: 'RSA SPKI',
    kind: 'a public key',
    der: RSA.publicKey.export({ format: 'der', type: 'spki' }),
    pemLabel: 'PUBLIC KEY',
  },
  {
    name: 'RSA PKCS#1',
    kind: 'a public key',
    der: RSA.publicKey.export({ format: 'der', type: 'pkcs1' }),
    pemLabel: 'RSA PUBLIC KEY',
  },
  {
    name: 'P-256 SPKI',
    kind: 'a public key',
    der: EC256.publicKey.export({ format: 'der', type: 'spki' }),
    pemLabel: 'PUBLIC KEY',
  },
  {
    name: 'Ed25519 SPKI',
    kind: 'a public key',
    der: ED25519.publicKey.export({ format: 'der', type: 'spki' }),
    pemLabel: 'PUBLIC KEY',
  },
  {
    name: 'RSA X.509 certificate',
    kind: 'an X.509 certificate',
    der: selfSignedCertificate(RSA),
    pemLabel: 'CERTIFICATE',
  },
  {
    name: 'P-256 X.509 certificate',
    kind: 'an X.509 certificate',
    der: selfSignedCertificate(EC256),
    pemLabel: 'CERTIFICATE',
  },
  {
    name: 'Ed25519 X.509 certificate',
    kind: 'an X.509 certificate',
    der: selfSignedCertificate(ED25519),
    pemLabel: 'CERTIFICATE',
  },
  { name: 'ssh-rsa key', kind: 'an SSH public key', ssh: RSA.publicKey },
  { name: 'ecdsa-sha2-nistp256 key', kind: 'an SSH public key', ssh: EC256.publicKey },
  { name: 'ssh-ed25519 key', kind: 'an SSH public key', ssh: ED25519.publicKey },
  {
    name: 'P-256 PKCS#8 private key',
    kind: 'a private key',
    der: EC256.privateKey.export({ format: 'der', type: 'pkcs8' }),
    pemLabel: 'PRIVATE KEY',
  },
];

/** One way of writing a form into a `secret` setting. */
export interface MaterialEncoding {
  name: string;
  input: SecretInput;
}

const octJwk = (bytes: Buffer): JsonWebKey => ({ kty: 'oct', k: bytes.toString('base64url') });

/** Every encoding of `form` a configuration can carry: text, bytes, an `oct` JWK, a secret KeyObject. */
export function encodingsOf(form: MaterialForm): MaterialEncoding[] {
  const texts: Array<[string, string]> = [];
  const bytes: Array<[string, Buffer]> = [];
  if (form.der) {
    const p = pem(form.pemLabel!, form.der);
    texts.push(
      ['PEM', p],
      ['PEM with CRLF', p.replace(/\n/g, '\r\n')],
      ['PEM after blank lines', `\n  \n${p}`],
      ['base64 DER', form.der.toString('base64')],
      ['base64 DER in 64-column lines', form.der.toString('base64').replace(/(.{64})/g, '$1\n')],
      ['base64url DER', form.der.toString('base64url')],
      ['hex DER', form.der.toString('hex')],
      ['base64 of the PEM file', Buffer.from(p).toString('base64')],
    );
    bytes.push(['DER bytes', form.der], ['PEM bytes', Buffer.from(p)]);
  } else {
    const { blob } = sshBlob(form.ssh!);
    texts.push(
      ['OpenSSH line', openSshLine(form.ssh!)],
      ['RFC 4716 SSH2 file', ssh2File(form.ssh!)],
      ['base64 wire blob', blob.toString('base64')],
    );
    bytes.push(['wire blob bytes', blob]);
  }
  for (const [name, text] of [...texts]) bytes.push([`${name} in a Buffer`, Buffer.from(text)]);
  const out: MaterialEncoding[] = [
    ...texts.map(([name, input]) => ({ name: `${name} (string)`, input })),
    ...bytes.map(([name, input]) => ({ name, input })),
    ...bytes.map(([name, b]) => ({ name: `${name} as an oct JWK's k`, input: octJwk(b) })),
    ...bytes.map(([name, b]) => ({ name: `${name} as oct JWK text`, input: JSON.stringify(octJwk(b)) })),
    ...bytes.map(([name, b]) => ({ name: `${name} as a secret KeyObject`, input: createSecretKey(b) })),
  ];
  return out;
}
