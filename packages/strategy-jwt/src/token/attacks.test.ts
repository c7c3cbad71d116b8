/**
 * The attack catalogue: every strict-verification rule and the classic JWT attacks, each with the exact
 * error class, reason and message. Tokens are forged with test-keys' `forge`, which signs arbitrary
 * header/payload text, so each case fails for the reason under test and not for a bad signature.
 * Each class iterates every variant known, so the next variant is one more row. The key ring's classes
 * live beside it: keys/key-ring-tampering.test.ts and keys/key-ring-revocation-race.test.ts.
 */
import { createHmac, randomBytes, sign, type KeyObject } from 'node:crypto';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { NotAuthenticated } from '@org/core';
import { JWS_ALGORITHMS, type JwsAlgorithm } from '../key-material/algorithms.ts';
import type { VerificationKeySource } from '../key-material/key-source.ts';
import { redactStore, scrubStoreCredentials } from '../cli/open-store.ts';
import { createKeyRing } from '../keys/key-ring.ts';
import {
  b64,
  claims,
  EC256,
  EC384,
  EC521,
  ED25519,
  forge,
  NOW,
  NOW_MS,
  RSA,
  RSA_ATTACKER,
  SECRET,
  SECRET_KEY,
} from './test-keys.ts';
import { TokenService, type TokenServiceOptions } from './token-service.ts';
import { encodingsOf, MATERIAL_FORMS, openSshLine } from './test-key-material.ts';
import { keySourceFromJwks, verificationKeyFromJwk } from '../key-material/jwk-import.ts';

const HS = JSON.stringify({ alg: 'HS256', typ: 'access' });
const BODY = JSON.stringify(claims());

function service(options: Partial<TokenServiceOptions> = {}): TokenService {
  return new TokenService({ secret: SECRET, clock: () => NOW_MS, ...options });
}

async function rejection(
  promise: Promise<unknown>,
): Promise<{ reason: string; message: string; code: number }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(NotAuthenticated);
    const e = error as NotAuthenticated;
    return { reason: e.reason, message: e.message, code: e.code };
  }
  throw new Error('expected a rejection');
}

async function expectReject(token: unknown, reason: string, message: string, s = service()): Promise<void> {
  const result = await rejection(s.verifyAccessToken(token as string));
  expect(result).toEqual({ reason, message, code: 401 });
  // Safe messages: never the token or any part of it.
  if (typeof token === 'string')
    for (const part of token.split('.')) if (part.length > 8) expect(result.message).not.toContain(part);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a forged-but-valid baseline', () => {
  test('forge() produces a token the service accepts (so every rejection below is for its own reason)', async () => {
    await expect(service().verifyAccessToken(forge('HS256', SECRET_KEY, HS, BODY))).resolves.toMatchObject({
      sub: '42',
    });
  });
});

describe('pre-parser (before any decoding)', () => {
  const good = forge('HS256', SECRET_KEY, HS, BODY);

  test.each([
    ['not a string', 42, 'Malformed token'],
    ['null', null, 'Malformed token'],
    ['empty', '', 'Malformed token'],
    ['two segments', good.split('.').slice(0, 2).join('.'), 'Malformed token: expected three segments'],
    ['four segments', `${good}.x`, 'Malformed token: expected three segments'],
    ['five segments (JWE)', 'eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d', 'Encrypted tokens (JWE) are not accepted'],
    ['padding', `${good}=`, 'Malformed token: not base64url'],
    ['space', good.replace('.', ' .'), 'Malformed token: not base64url'],
    ['tab', `\t${good}`, 'Malformed token: not base64url'],
    ['CR/LF', `${good}\r\n`, 'Malformed token: not base64url'],
    ['LF inside', good.replace('.', '\n.'), 'Malformed token: not base64url'],
    [
      '"+" (base64, not base64url)',
      good.replace(/-/g, '+').replace(/_/g, '/') + '+',
      'Malformed token: not base64url',
    ],
    ['non-ASCII', `${good}é`, 'Malformed token: not base64url'],
    ['empty header', `.${good.split('.').slice(1).join('.')}`, 'Malformed token: empty segment'],
    [
      'empty signature (unsecured)',
      good.slice(0, good.lastIndexOf('.') + 1),
      'Malformed token: empty segment',
    ],
    [
      'over 8 KiB',
      forge('HS256', SECRET_KEY, HS, JSON.stringify(claims({ pad: 'x'.repeat(7000) }))),
      'Token too long',
    ],
  ])('%s', async (_name, token, message) => {
    await expectReject(token, 'token-malformed', message);
  });

  test('non-canonical trailing bits: same bytes, different text, refused although the HMAC matches', async () => {
    const [h, p, s] = good.split('.') as [string, string, string];
    // 32-byte HMAC -> 43 chars, 2 unused bits in the last one.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s.at(-1)!);
    const altered = `${s.slice(0, -1)}${alphabet[last | 1]}`;
    expect(Buffer.from(altered, 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true);
    await expectReject(`${h}.${p}.${altered}`, 'token-malformed', 'Malformed token: non-canonical base64url');
  });

  test('a segment of length 1 mod 4 is not base64 at all', async () => {
    const [h, p] = good.split('.') as [string, string];
    await expectReject(`${h}.${p}.AAAAA`, 'token-malformed', 'Malformed token: non-canonical base64url');
  });
});

describe('strict JSON', () => {
  test.each([
    ['BOM in header', `\uFEFF${HS}`, BODY, 'Malformed token: byte order mark'],
    ['BOM in payload', HS, `\uFEFF${BODY}`, 'Malformed token: byte order mark'],
    [
      'duplicate alg in header',
      '{"alg":"none","alg":"HS256","typ":"access"}',
      BODY,
      'Malformed token: duplicate member name',
    ],
    [
      'escaped duplicate alg',
      '{"alg":"HS256","\\u0061lg":"HS256","typ":"access"}',
      BODY,
      'Malformed token: duplicate member name',
    ],
    [
      'duplicate exp in payload',
      HS,
      BODY.replace('{', '{"exp":1,'),
      'Malformed token: duplicate member name',
    ],
    [
      'nested duplicate',
      HS,
      BODY.replace('{', '{"x":{"a":1,"a":2},'),
      'Malformed token: duplicate member name',
    ],
    [
      '__proto__ in header',
      '{"alg":"HS256","typ":"access","__proto__":{"x":1}}',
      BODY,
      'Malformed token: forbidden member name',
    ],
    [
      'constructor in payload',
      HS,
      BODY.replace('{', '{"constructor":{"prototype":{}},'),
      'Malformed token: forbidden member name',
    ],
    [
      'nested prototype',
      HS,
      BODY.replace('{', '{"a":[{"prototype":1}],'),
      'Malformed token: forbidden member name',
    ],
    [
      'escaped __proto__',
      HS,
      BODY.replace('{', '{"\\u005f_proto__":{},'),
      'Malformed token: forbidden member name',
    ],
    ['header not an object', '["HS256"]', BODY, 'Malformed token: not a JSON object'],
    ['payload an array', HS, '[1]', 'Malformed token: not a JSON object'],
    ['payload a string', HS, '"claims"', 'Malformed token: not a JSON object'],
    ['payload empty', HS, '', 'Malformed token: invalid JSON'],
    ['payload not JSON', HS, '{exp: 1}', 'Malformed token: invalid JSON'],
    [
      'invalid UTF-8 in payload',
      HS,
      Buffer.concat([Buffer.from(BODY.slice(0, -1)), Buffer.from(',"x":"\xff"}', 'latin1')]),
      'Malformed token: invalid UTF-8',
    ],
  ] as const)('%s', async (_name, header, payload, message) => {
    await expectReject(forge('HS256', SECRET_KEY, header, payload), 'token-malformed', message);
  });

  test('duplicate names are looked for in member names only, not in values', async () => {
    const payload = JSON.stringify(claims({ list: ['exp', 'exp'], note: '"exp":1,"exp":2' }));
    await expect(service().verifyAccessToken(forge('HS256', SECRET_KEY, HS, payload))).resolves.toMatchObject(
      { list: ['exp', 'exp'] },
    );
  });
});

describe('header checks', () => {
  test.each(['none', 'NONE', 'nOnE', 'None'])('alg %s with a signature is not allowed', async (alg) => {
    const token = `${b64(JSON.stringify({ alg, typ: 'access' }))}.${b64(BODY)}.${b64('sig')}`;
    await expectReject(token, 'algorithm-not-allowed', 'Algorithm not allowed');
  });

  test.each(['none', 'NONE', 'nOnE'])(
    'alg %s without a signature is malformed (unsecured JWS)',
    async (alg) => {
      await expectReject(
        `${b64(JSON.stringify({ alg }))}.${b64(BODY)}.`,
        'token-malformed',
        'Malformed token: empty segment',
      );
    },
  );

  test.each([
    ['an algorithm outside the allow-list', 'HS512', 'algorithm-not-allowed', 'Algorithm not allowed'],
    ['a lower-case name', 'hs256', 'algorithm-not-allowed', 'Algorithm not allowed'],
    ['an unknown name', 'HS1024', 'algorithm-not-allowed', 'Algorithm not allowed'],
    ['a number', 256, 'token-malformed', 'Malformed token: missing "alg"'],
    ['missing', undefined, 'token-malformed', 'Malformed token: missing "alg"'],
  ])('%s', async (_name, alg, reason, message) => {
    const token = forge('HS256', SECRET_KEY, JSON.stringify({ alg, typ: 'access' }), BODY);
    await expectReject(token, reason, message);
  });

  test.each([
    ['crit (unknown extension)', { crit: ['exp'], exp: 1 }, 'Unsupported header "crit"'],
    ['crit with b64', { crit: ['b64'], b64: false }, 'Unsupported header "crit"'],
    ['b64 false without crit', { b64: false }, 'Unsupported header "b64"'],
    ['b64 true', { b64: true }, 'Unsupported header "b64"'],
    ['cty (nested JWT)', { cty: 'JWT' }, 'Unsupported header "cty"'],
    ['enc (JWE member)', { enc: 'A256GCM' }, 'Unsupported header "enc"'],
    ['zip', { zip: 'DEF' }, 'Unsupported header "zip"'],
    ['a non-string kid', { kid: 7 }, 'Malformed token: "kid" is not a string'],
  ])('%s', async (_name, extra, message) => {
    const token = forge('HS256', SECRET_KEY, JSON.stringify({ alg: 'HS256', typ: 'access', ...extra }), BODY);
    await expectReject(token, 'token-malformed', message);
  });

  test('jwk / jku / x5u / x5c / x5t never select a key and never cause a request', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const attackerJwk = RSA_ATTACKER.publicKey.export({ format: 'jwk' });
    const s = service({ secret: undefined, publicKey: RSA.publicKey, jwtOptions: { algorithm: 'RS256' } });
    const header = (extra: object) => JSON.stringify({ alg: 'RS256', typ: 'access', ...extra });
    const embedded = {
      jwk: attackerJwk,
      jku: 'https://attacker.example/jwks.json',
      x5u: 'https://attacker.example/cert.pem',
      x5c: ['MIIB'],
      x5t: 'abc',
    };
    // Signed by the attacker's key that the header embeds: refused.
    await expectReject(
      forge('RS256', RSA_ATTACKER.privateKey, header(embedded), BODY),
      'invalid-signature',
      'Invalid signature',
      s,
    );
    // Signed by the configured key: the headers are ignored, the token verifies.
    await expect(
      s.verifyAccessToken(forge('RS256', RSA.privateKey, header(embedded), BODY)),
    ).resolves.toMatchObject({ sub: '42' });
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe('HS/RS confusion: the public key as an HMAC secret', () => {
  const spkiPem = RSA.publicKey.export({ format: 'pem', type: 'spki' }) as string;
  const encodings: Array<[string, string | Buffer]> = [
    ['SPKI PEM (LF)', spkiPem],
    ['SPKI PEM (CRLF)', spkiPem.replace(/\n/g, '\r\n')],
    ['SPKI PEM with leading whitespace', `  \n${spkiPem}`],
    ['PKCS#1 PEM', RSA.publicKey.export({ format: 'pem', type: 'pkcs1' }) as string],
    ['SPKI DER', RSA.publicKey.export({ format: 'der', type: 'spki' })],
    ['PKCS#1 DER', RSA.publicKey.export({ format: 'der', type: 'pkcs1' })],
    ['JWK text', JSON.stringify(RSA.publicKey.export({ format: 'jwk' }))],
    [
      'base64 DER body without PEM markers',
      RSA.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    ],
    [
      'base64 DER body in 64-column lines',
      RSA.publicKey
        .export({ format: 'der', type: 'spki' })
        .toString('base64')
        .replace(/(.{64})/g, '$1\n'),
    ],
    ['base64url DER body', RSA.publicKey.export({ format: 'der', type: 'spki' }).toString('base64url')],
    ['hex DER', RSA.publicKey.export({ format: 'der', type: 'spki' }).toString('hex')],
    ['OpenSSH public key line', openSshLine(RSA.publicKey)],
  ];
  const rsaVerifier = () =>
    service({ secret: undefined, publicKey: spkiPem, jwtOptions: { algorithm: 'RS256' } });

  test.each(encodings)(
    '%s: an HS256 token signed with it is refused by an RS256 verifier',
    async (_name, encoding) => {
      const hmacKey = typeof encoding === 'string' ? Buffer.from(encoding, 'utf8') : encoding;
      const token = `${b64(HS)}.${b64(BODY)}`;
      const forged = `${token}.${createHmac('sha256', hmacKey).update(token).digest('base64url')}`;
      await expectReject(forged, 'algorithm-not-allowed', 'Algorithm not allowed', rsaVerifier());
      // Even a verifier whose allow-list wrongly includes HS256 has no HS256 key to use.
      expect(() =>
        service({
          secret: undefined,
          publicKey: spkiPem,
          jwtOptions: { algorithm: 'RS256' },
          verifyOptions: { algorithms: ['RS256', 'HS256'] },
        }),
      ).toThrow("'authentication.verifyOptions.algorithms' lists HS256 but no HS256 key is configured");
    },
  );

  test.each(encodings)('%s: refused as the configured secret', (_name, encoding) => {
    expect(() => new TokenService({ secret: encoding })).toThrow(
      /^'authentication\.secret' (holds (a public key|an SSH public key) \(|is a JWK of type RSA)/,
    );
  });

  test('a key source that hands back a public key for HS256 still cannot verify it', async () => {
    const buggy: VerificationKeySource = { resolve: () => ({ alg: 'HS256', key: RSA.publicKey }) };
    const s = new TokenService({
      keyRing: { ...buggy, getSigningKey: () => ({ alg: 'HS256', key: SECRET_KEY }) },
      verifyOptions: { algorithms: ['HS256'] },
      clock: () => NOW_MS,
    });
    const forged = forge('HS256', Buffer.from(spkiPem), HS, BODY);
    await expectReject(forged, 'algorithm-not-allowed', 'Algorithm does not match the key', s);
  });
});

describe('key material as an HMAC secret: every form x every encoding x every HS algorithm', () => {
  // fast-jwt's advisory class: a public key, certificate or SSH key given as the HS secret in ANY
  // encoding lets whoever holds it (everyone) forge tokens. Each form is written every way a
  // configuration can carry it; each must be refused at construction, naming what it is.
  const admin = JSON.stringify(claims({ sub: 'admin' }));
  const cases = MATERIAL_FORMS.flatMap((form) =>
    (['HS256', 'HS384', 'HS512'] as const).map((alg) => [form.name, alg, form] as const),
  );

  test.each(cases)('%s as the %s secret is refused in every encoding', async (_name, alg, form) => {
    const accepted: string[] = [];
    for (const { name, input } of encodingsOf(form)) {
      let tokens: TokenService;
      try {
        tokens = new TokenService({ secret: input, jwtOptions: { algorithm: alg }, clock: () => NOW_MS });
      } catch (error) {
        const message = (error as Error).message;
        if (
          (error as { reason?: string }).reason !== 'invalid-configuration' ||
          !/^'authentication\.secret(\.k)?' holds /.test(message) ||
          !message.includes(`holds ${form.kind} (`) ||
          !message.includes('not a shared secret')
        )
          accepted.push(`${name}: wrong refusal "${message}"`);
        continue;
      }
      // Accepted: show the consequence, a token HMAC'd with the public material passing as admin.
      const hmacKey = tokens.keySource.resolve({ alg })!.key;
      const forged = forge(alg, hmacKey, JSON.stringify({ alg, typ: 'access' }), admin);
      const verified = await tokens.verifyAccessToken(forged).catch(() => undefined);
      accepted.push(
        `${name}: accepted${verified ? `, and a forged token verifies as sub ${String(verified.sub)}` : ''}`,
      );
    }
    expect(accepted).toEqual([]);
  });

  test.each(MATERIAL_FORMS.filter((form) => form.kind !== 'a private key').map((f) => [f.name, f] as const))(
    '%s in an oct JWK is refused by verificationKeyFromJwk and keySourceFromJwks',
    (_name, form) => {
      for (const { input } of encodingsOf(form)) {
        if (input === null || typeof input !== 'object' || !('kty' in input)) continue;
        const jwk = { ...input, alg: 'HS256' };
        expect(() => verificationKeyFromJwk(jwk)).toThrow(new RegExp(`^'jwk\\.k' holds ${form.kind} \\(`));
        expect(() => keySourceFromJwks({ keys: [jwk] })).toThrow(/^'jwks\.keys\[0\]\.k' holds /);
      }
    },
  );

  test('random secrets, including long base64 and hex ones, are still accepted', () => {
    for (const secret of [
      SECRET.repeat(2),
      randomBytes(64),
      randomBytes(64).toString('base64'),
      randomBytes(96).toString('base64url'),
      randomBytes(64).toString('hex'),
      { kty: 'oct', k: randomBytes(64).toString('base64url') },
    ]) {
      expect(() => new TokenService({ secret, jwtOptions: { algorithm: 'HS512' } })).not.toThrow();
    }
  });
});

describe('JWK metadata: use, key_ops and alg are honoured in every key setting and form', () => {
  // A key tagged for encryption, for other operations or for another algorithm must not sign or verify
  // tokens (RFC 7517 section 4); each setting x each form (object, JSON text) x each violation.
  const jwks = {
    secret: { kty: 'oct', k: Buffer.from(SECRET).toString('base64url') },
    privateKey: RSA.privateKey.export({ format: 'jwk' }),
    publicKey: RSA.publicKey.export({ format: 'jwk' }),
  };
  const performs = { secret: ['sign', 'verify'], privateKey: ['sign'], publicKey: ['verify'] } as const;
  const violations = (setting: keyof typeof jwks): Array<[string, object, string]> => [
    ['use "enc"', { use: 'enc' }, `'authentication.${setting}.use' is "enc"; a signature key needs "sig"`],
    [
      'an unknown use',
      { use: 'signature' },
      `'authentication.${setting}.use' is "signature"; a signature key needs "sig"`,
    ],
    ...performs[setting].map((op): [string, object, string] => [
      `key_ops without "${op}"`,
      { key_ops: ['encrypt', ...performs[setting].filter((o) => o !== op)] },
      `'authentication.${setting}.key_ops' does not allow "${op}"`,
    ]),
    [
      'key_ops as a string',
      { key_ops: 'sign' },
      `'authentication.${setting}.key_ops' must be an array of strings`,
    ],
    [
      'an alg that is not JWS',
      { alg: 'RSA-OAEP' },
      `'authentication.${setting}.alg' is not a supported JWS algorithm`,
    ],
  ];
  const cases = (Object.keys(jwks) as Array<keyof typeof jwks>).flatMap((setting) =>
    violations(setting).flatMap(([name, extra, message]) =>
      [false, true].map((text) => {
        const jwk = { ...jwks[setting], ...extra };
        return [
          setting,
          name,
          text ? 'JSON text' : 'object',
          text ? JSON.stringify(jwk) : jwk,
          message,
        ] as const;
      }),
    ),
  );

  test.each(cases)('%s with %s (%s) is refused, naming the member', (setting, _name, _form, jwk, message) => {
    const options: TokenServiceOptions = { [setting]: jwk };
    if (setting === 'publicKey') options.jwtOptions = { algorithm: 'RS256' };
    expect(() => new TokenService(options)).toThrow(message);
  });

  test.each([
    ['PS256', 'RS256'],
    ['RS256', 'PS256'],
    ['PS512', 'RS512'],
    ['RS384', 'RS256'],
  ] as const)('a private JWK tagged %s never signs %s', async (tagged, configured) => {
    const privateKey = { ...jwks.privateKey, alg: tagged };
    const tokens = new TokenService({ privateKey });
    const token = await tokens.createAccessToken({}, { subject: '1' });
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).alg).toBe(tagged);
    expect(() => new TokenService({ privateKey, jwtOptions: { algorithm: configured } })).toThrow(
      `'authentication.privateKey.alg' is ${tagged} but 'authentication.jwtOptions.algorithm' is ${configured}`,
    );
  });
});

describe("a signing algorithm other than the key ring's (its own tokens would be refused)", () => {
  const rings = (['ES256', 'EdDSA', 'RS256'] as const).map((algorithm) =>
    createKeyRing({ kek: { secret: 'attack-catalogue-kek-0123456789abcdefghij' }, algorithm }),
  );
  test.each(
    rings.flatMap((ring) =>
      JWS_ALGORITHMS.filter((a) => a !== ring.settings.algorithm).map(
        (a) => [ring.settings.algorithm, a, ring] as const,
      ),
    ),
  )('a %s ring with jwtOptions.algorithm %s fails at setup', (ringAlg, configured, keyRing) => {
    expect(() => new TokenService({ keyRing, jwtOptions: { algorithm: configured } })).toThrow(
      `'authentication.jwtOptions.algorithm' is ${configured} but the key ring signs ${ringAlg} ('keyRing.algorithm')`,
    );
  });
});

describe('store credentials in what org-keys prints', () => {
  // Every scheme x every place a credential sits in a URL x the URL failing to parse.
  const schemes = ['postgres', 'postgresql', 'redis', 'rediss', 'sqlite'];
  const placements = [
    (scheme: string) => `${scheme}://app:Hunter2secret@db.internal:5432/app`,
    (scheme: string) => `${scheme}://:Hunter2secret@db.internal:5432/app`,
    ...['password', 'pass', 'pwd', 'sslpassword', 'PASSWORD', 'auth_token', 'secret', 'apikey'].map(
      (param) => (scheme: string) =>
        `${scheme}://app@db.internal:5432/app?sslmode=require&${param}=Hunter2secret`,
    ),
    (scheme: string) => `${scheme}://app:Hunter2secret@db.internal:99999/app`, // port out of range
    (scheme: string) => `${scheme}://app:Hunter2secret@[db.internal/app`, // not a URL
    (scheme: string) => `${scheme}://app:Hunter%32secret@db.internal/app`, // percent-encoded
  ];
  test.each(schemes.flatMap((scheme) => placements.map((place) => [place(scheme)] as const)))(
    '%s',
    (spec) => {
      const decoded = 'Hunter2secret';
      expect(redactStore(spec)).not.toContain(decoded);
      expect(redactStore(spec)).not.toContain('Hunter%32secret');
      const driverMessage = `connect failed for ${spec} (password ${decoded}, user app)`;
      expect(scrubStoreCredentials(driverMessage, spec)).not.toMatch(/Hunter(2|%32)secret/);
    },
  );
});

describe('algorithm / key type mismatch', () => {
  // A key source that answers with the wrong kind of key (a bug, or a mixed key ring) still cannot verify:
  // the key must fit the token's algorithm, curve included.
  test.each([
    ['RS256', EC256.publicKey],
    ['PS256', ED25519.publicKey],
    ['ES256', RSA.publicKey],
    ['ES256', EC384.publicKey],
    ['ES384', EC521.publicKey],
    ['EdDSA', EC256.publicKey],
    ['HS256', ED25519.publicKey],
    ['RS256', SECRET_KEY],
  ] as const)('%s with a key of another type or curve (case %#)', async (alg, key) => {
    const s = new TokenService({
      keyRing: { resolve: () => ({ alg, key }), getSigningKey: () => ({ alg: 'HS256', key: SECRET_KEY }) },
      verifyOptions: { algorithms: [alg] },
      clock: () => NOW_MS,
    });
    const token = `${b64(JSON.stringify({ alg, typ: 'access' }))}.${b64(BODY)}.${b64('x'.repeat(64))}`;
    await expectReject(token, 'algorithm-not-allowed', 'Algorithm does not match the key', s);
  });
});

describe('ECDSA signature forms', () => {
  const cases: Array<[JwsAlgorithm, { privateKey: KeyObject; publicKey: KeyObject }, number, string]> = [
    ['ES256', EC256, 64, 'sha256'],
    ['ES384', EC384, 96, 'sha384'],
    ['ES512', EC521, 132, 'sha512'],
  ];
  test.each(cases)(
    '%s: r = s = 0, DER form and a padded signature are invalid',
    async (alg, pair, length, hash) => {
      const s = service({ secret: undefined, privateKey: pair.privateKey });
      const input = `${b64(JSON.stringify({ alg, typ: 'access' }))}.${b64(BODY)}`;
      await expect(
        s.verifyAccessToken(
          `${input}.${sign(hash, Buffer.from(input), { key: pair.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`,
        ),
      ).resolves.toBeDefined();
      const zero = Buffer.alloc(length).toString('base64url');
      await expectReject(`${input}.${zero}`, 'invalid-signature', 'Invalid signature', s);
      const der = sign(hash, Buffer.from(input), { key: pair.privateKey, dsaEncoding: 'der' });
      await expectReject(
        `${input}.${der.toString('base64url')}`,
        'invalid-signature',
        'Invalid signature',
        s,
      );
      const p1363 = sign(hash, Buffer.from(input), { key: pair.privateKey, dsaEncoding: 'ieee-p1363' });
      await expectReject(
        `${input}.${Buffer.concat([Buffer.alloc(1), p1363]).toString('base64url')}`,
        'invalid-signature',
        'Invalid signature',
        s,
      );
    },
  );
});

describe('kid handling', () => {
  // A kid-indexed source like the key ring's: a Map lookup, so no kid can reach a prototype or a path.
  const keys = new Map<string, { alg: JwsAlgorithm; key: KeyObject }>([
    ['real-kid', { alg: 'RS256', key: RSA.publicKey }],
  ]);
  const ring: VerificationKeySource = {
    resolve: ({ kid }) => (kid === undefined ? undefined : keys.get(kid)),
  };
  const s = new TokenService({
    keyRing: { ...ring, getSigningKey: () => ({ alg: 'RS256', key: RSA.privateKey, kid: 'real-kid' }) },
    clock: () => NOW_MS,
  });
  const header = (kid: unknown) => JSON.stringify({ alg: 'RS256', typ: 'access', kid });

  test('the real kid verifies', async () => {
    await expect(
      s.verifyAccessToken(forge('RS256', RSA.privateKey, header('real-kid'), BODY)),
    ).resolves.toMatchObject({ sub: '42' });
  });

  test.each([
    ['path traversal', '../../../../etc/passwd'],
    ['SQL', "' OR 1=1; DROP TABLE keys; --"],
    ['very long (under the 8 KiB cap)', 'k'.repeat(4000)],
    ['__proto__ as a value', '__proto__'],
    ['constructor as a value', 'constructor'],
    ['NUL and newlines', 'a\u0000b\nc'],
    ['empty', ''],
  ])('hostile kid (%s) finds no key', async (_name, kid) => {
    await expectReject(
      forge('RS256', RSA.privateKey, header(kid), BODY),
      'key-not-found',
      'No key for this token',
      s,
    );
  });

  test.each([
    ['an object', { $ne: null }],
    ['an array', ['real-kid']],
    ['null', null],
  ])('kid as %s is malformed', async (_name, kid) => {
    await expectReject(
      forge('RS256', RSA.privateKey, header(kid), BODY),
      'token-malformed',
      'Malformed token: "kid" is not a string',
      s,
    );
  });

  test('a signature by an attacker key under the real kid is invalid', async () => {
    await expectReject(
      forge('RS256', RSA_ATTACKER.privateKey, header('real-kid'), BODY),
      'invalid-signature',
      'Invalid signature',
      s,
    );
  });

  test('a throwing key source is treated as "no key", never a crash', async () => {
    const throwing = new TokenService({
      keyRing: {
        resolve: () => {
          throw new Error('boom');
        },
        getSigningKey: () => ({ alg: 'RS256', key: RSA.privateKey }),
      },
      clock: () => NOW_MS,
    });
    await expectReject(
      forge('RS256', RSA.privateKey, header('real-kid'), BODY),
      'key-not-found',
      'No key for this token',
      throwing,
    );
  });
});

describe('claims', () => {
  const t = (extra: Record<string, unknown>, header: object = { alg: 'HS256', typ: 'access' }) =>
    forge('HS256', SECRET_KEY, JSON.stringify(header), JSON.stringify({ ...claims(), ...extra }));

  test.each([
    ['exp missing', { exp: undefined }, 'claim-invalid', 'Missing "exp" claim'],
    ['exp a string', { exp: String(1e10) }, 'claim-invalid', 'Invalid "exp" claim'],
    ['exp null', { exp: null }, 'claim-invalid', 'Invalid "exp" claim'],
    ['exp in the past', { exp: NOW - 1 }, 'token-expired', 'Token expired'],
    ['exp now', { exp: NOW }, 'token-expired', 'Token expired'],
    ['nbf in the future', { nbf: NOW + 1 }, 'token-not-yet-valid', 'Token not yet valid'],
    ['nbf not a number', { nbf: 'soon' }, 'claim-invalid', 'Invalid "nbf" claim'],
    ['iat in the future', { iat: NOW + 1 }, 'token-not-yet-valid', 'Token issued in the future'],
    ['iat not a number', { iat: true }, 'claim-invalid', 'Invalid "iat" claim'],
    ['wrong audience', { aud: 'https://other.example' }, 'claim-invalid', 'Invalid "aud" claim'],
    ['audience missing', { aud: undefined }, 'claim-invalid', 'Invalid "aud" claim'],
    ['empty audience list', { aud: [] }, 'claim-invalid', 'Invalid "aud" claim'],
    ['wrong issuer', { iss: 'evil' }, 'claim-invalid', 'Invalid "iss" claim'],
    ['issuer not a string', { iss: ['feathers'] }, 'claim-invalid', 'Invalid "iss" claim'],
  ])('%s', async (_name, extra, reason, message) => {
    await expectReject(t(extra), reason, message);
  });

  test('exp of 1e999 (JSON for Infinity) is not a date', async () => {
    const token = forge('HS256', SECRET_KEY, HS, BODY.replace(/"exp":\d+/, '"exp":1e999'));
    await expectReject(token, 'claim-invalid', 'Invalid "exp" claim');
  });

  test.each([
    ['missing', { alg: 'HS256' }],
    ['different', { alg: 'HS256', typ: 'refresh' }],
    ['not a string', { alg: 'HS256', typ: 1 }],
  ])('typ %s', async (_name, header) => {
    await expectReject(t({}, header), 'claim-invalid', 'Invalid token type');
  });

  test('typ compares as jose does: case-insensitive, application/ prefix ignored', async () => {
    await expect(
      service().verifyAccessToken(t({}, { alg: 'HS256', typ: 'application/ACCESS' })),
    ).resolves.toBeDefined();
  });

  test('an audience list matches when one member is accepted', async () => {
    await expect(
      service().verifyAccessToken(t({ aud: ['x', 'https://yourdomain.com'] })),
    ).resolves.toBeDefined();
  });

  test('clock tolerance applies to exp, nbf and iat, and no further', async () => {
    const s = service({ verifyOptions: { clockTolerance: 30 } });
    await expect(
      s.verifyAccessToken(t({ exp: NOW - 29, nbf: NOW + 30, iat: NOW + 30 })),
    ).resolves.toBeDefined();
    await expectReject(t({ exp: NOW - 30 }), 'token-expired', 'Token expired', s);
    await expectReject(t({ nbf: NOW + 31 }), 'token-not-yet-valid', 'Token not yet valid', s);
  });

  test('maxTokenAge requires iat and bounds the age', async () => {
    const s = service({ verifyOptions: { maxTokenAge: '1h' } });
    await expect(s.verifyAccessToken(t({ iat: NOW - 3600 }))).resolves.toBeDefined();
    await expectReject(t({ iat: NOW - 3601 }), 'token-too-old', 'Token too old', s);
    await expectReject(t({ iat: undefined }), 'claim-invalid', 'Missing "iat" claim', s);
  });
});
