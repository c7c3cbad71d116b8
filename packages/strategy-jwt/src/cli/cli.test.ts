import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// node-jose ships no types; it stands for the key stores users migrate from.
// @ts-expect-error no declaration file
import nodeJose from 'node-jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKeyRing } from '../keys/key-ring.ts';
import { redisKeyStore } from '../keys/stores/redis-key-store.ts';
import { sqliteKeyStore } from '../keys/stores/sqlite-key-store.ts';
import { startTcpProxy } from '../keys/stores/test-tcp-proxy.ts';
import { TokenService } from '../token/token-service.ts';
import { CLI_TEST_TIMEOUT, cliBin, KEK, orgKeys, OTHER_KEK } from './test-cli-support.ts';

vi.setConfig({ testTimeout: CLI_TEST_TIMEOUT });

const dir = mkdtempSync(join(tmpdir(), 'org-keys-cli-'));
const sqlite = (name: string) => `sqlite://${join(dir, `${name}.sqlite`)}`;
const PRIVATE = /"(d|p|q|dp|dq|qi|k)"\s*:/;

beforeAll(async () => {
  await cliBin();
}, 30_000);

interface ListedKey {
  kid: string;
  alg: string;
  state: string;
  hasPrivateKey: boolean;
}

async function listJson(store: string, env?: Record<string, string>): Promise<ListedKey[]> {
  const run = await orgKeys(['list', '--store', store, '--json'], { env });
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return (JSON.parse(run.stdout) as { keys: ListedKey[] }).keys;
}

describe('org-keys generate / list / export-jwks', () => {
  const store = sqlite('basic');

  it('generates the active and the next key, idempotently, and never prints the KEK', async () => {
    const run = await orgKeys(['generate', '--store', store]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const kid = /^Active signing key: (\S+)$/m.exec(run.stdout)?.[1];
    expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(run.stdout).toMatch(/KID\s+ALG\s+STATE/);
    expect(run.stdout).not.toContain(KEK);

    const again = await orgKeys(['generate', '--store', store, '--json']);
    expect(again.code).toBe(0);
    const parsed = JSON.parse(again.stdout) as { active: string; keys: ListedKey[] };
    expect(parsed.active).toBe(kid);
    expect(parsed.keys.map((k) => [k.alg, k.state])).toEqual([
      ['ES256', 'active'],
      ['ES256', 'scheduled'],
    ]);
    expect(again.stdout).not.toMatch(PRIVATE);
  });

  it('lists read-only, as a table or JSON', async () => {
    const keys = await listJson(store);
    expect(keys.map((k) => k.state)).toEqual(['active', 'scheduled']);
    expect(keys[0]).toMatchObject({ alg: 'ES256', hasPrivateKey: true });
    const human = await orgKeys(['list', '--store', store]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(keys[0]!.kid);
    expect(human.stdout).toMatch(/\bactive\b/);
  });

  it('exports only the published public keys', async () => {
    const [active] = await listJson(store);
    const run = await orgKeys(['export-jwks', '--store', store]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(PRIVATE);
    const jwks = JSON.parse(run.stdout) as { keys: Record<string, string>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(Object.keys(jwks.keys[0]!).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(jwks.keys[0]).toMatchObject({ kid: active!.kid, alg: 'ES256', use: 'sig' });

    const out = join(dir, 'jwks.json');
    const toFile = await orgKeys(['export-jwks', '--store', store, '--out', out]);
    expect(toFile).toMatchObject({ code: 0, stdout: `Wrote ${out}\n` });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(jwks);
  });

  it('export-jwks --out never writes through a symlink: the link is replaced, its target untouched', async () => {
    const target = join(dir, 'victim.txt');
    writeFileSync(target, 'do not overwrite\n');
    const link = join(dir, 'jwks-link.json');
    symlinkSync(target, link);
    const run = await orgKeys(['export-jwks', '--store', store, '--out', link]);
    expect(run).toMatchObject({ code: 0, stdout: `Wrote ${link}\n` });
    expect(readFileSync(target, 'utf8')).toBe('do not overwrite\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    expect(JSON.parse(readFileSync(link, 'utf8'))).toHaveProperty('keys');
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(
      await orgKeys(['export-jwks', '--store', store, '--out', join(dir, 'no-such-dir', 'x.json')]),
    ).toMatchObject({
      code: 1,
      stderr: `org-keys: Cannot write ${join(dir, 'no-such-dir', 'x.json')}: ENOENT\n`,
    });
  });

  it('generates keys of the requested --alg', async () => {
    const run = await orgKeys(['generate', '--store', sqlite('eddsa'), '--alg', 'EdDSA', '--json']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { keys: ListedKey[] }).keys.map((k) => k.alg)).toEqual([
      'EdDSA',
      'EdDSA',
    ]);
  });
});

describe('org-keys rotate / revoke / rewrap', () => {
  it('rotates: a new key published now, signing after pre-publication', async () => {
    const store = sqlite('rotate');
    await orgKeys(['generate', '--store', store]);
    const run = await orgKeys(['rotate', '--store', store, '--json']);
    expect(run.code).toBe(0);
    const { rotated, keys } = JSON.parse(run.stdout) as { rotated: string; keys: ListedKey[] };
    expect(keys.find((k) => k.kid === rotated)?.state).toBe('pending');
    const immediate = await orgKeys(['rotate', '--store', store, '--immediate', '--json']);
    const after = JSON.parse(immediate.stdout) as { rotated: string; keys: ListedKey[] };
    expect(after.keys.find((k) => k.kid === after.rotated)?.state).toBe('active');
  });

  it('revokes a key: it leaves the JWKS, and an unknown kid is a clear error', async () => {
    const store = sqlite('revoke');
    await orgKeys(['generate', '--store', store]);
    const [active] = await listJson(store);
    // A kid is a base64url thumbprint: one in 64 starts with '-' and would parse as an option without '--'.
    const run = await orgKeys(['revoke', '--store', store, '--', active!.kid]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Revoked key: ${active!.kid}`);
    const jwks = JSON.parse((await orgKeys(['export-jwks', '--store', store])).stdout) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).not.toContain(active!.kid);
    expect(jwks.keys).toHaveLength(1); // the replacement

    expect(await orgKeys(['revoke', 'no-such-kid', '--store', store])).toEqual({
      code: 1,
      stdout: '',
      stderr: "org-keys: No key with kid 'no-such-kid' in the store\n",
    });
    const missing = await orgKeys(['revoke', '--store', store]);
    expect(missing).toMatchObject({ code: 2, stderr: 'org-keys: Missing <kid>\n' });
  });

  it('rewraps under a new KEK; the old KEK then no longer opens the store', async () => {
    const store = sqlite('rewrap');
    await orgKeys(['generate', '--store', store]);
    const env = { NEW_KEK: OTHER_KEK };
    const run = await orgKeys(
      ['rewrap', '--store', store, '--kek-env', 'NEW_KEK', '--old-kek-env', 'ORG_KEYS_KEK'],
      {
        env,
      },
    );
    expect(run).toMatchObject({ code: 0, stdout: 'Rewrapped 2 record(s); 0 already current; 0 failed.\n' });
    expect(await listJson(store, { ORG_KEYS_KEK: OTHER_KEK })).toHaveLength(2);
    const old = await orgKeys(['list', '--store', store]);
    expect(old.code).toBe(1);
    expect(old.stderr).toMatch(
      /^org-keys: KEK mismatch: none of the 2 records in the key store opens with the configured KEK id\(s\) k-[\w-]{8}; they were sealed under KEK id\(s\) k-[\w-]{8}\./,
    );
  });
});

describe('org-keys errors', () => {
  it('refuses a wrong KEK in one line, without output or secrets', async () => {
    const store = sqlite('wrong-kek');
    await orgKeys(['generate', '--store', store]);
    for (const command of [['list'], ['rotate'], ['export-jwks'], ['generate']]) {
      const run = await orgKeys([...command, '--store', store], { env: { ORG_KEYS_KEK: OTHER_KEK } });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        /^org-keys: KEK mismatch: none of the 2 records in the key store opens with the configured KEK id\(s\) k-[\w-]{8}; they were sealed under KEK id\(s\) k-[\w-]{8}\. .*; give this command the deployment's KEK \(--kek-env, --old-kek-env\)\n$/,
      );
      expect(run.stderr).not.toContain(OTHER_KEK);
    }
  });

  it('reports a missing, unknown or unreachable store', async () => {
    const missingFile = join(dir, 'nope.sqlite');
    expect(await orgKeys(['list', '--store', `sqlite://${missingFile}`])).toEqual({
      code: 1,
      stdout: '',
      stderr: `org-keys: Key store not found: no SQLite file at ${missingFile}\n`,
    });
    expect(await orgKeys(['list'])).toMatchObject({
      code: 2,
      stderr:
        'org-keys: Missing --store (memory, sqlite://PATH, redis://HOST:PORT, postgres://USER@HOST/DB) or ORG_KEYS_STORE\n',
    });
    expect((await orgKeys(['list', '--store', 'mongodb://x'])).stderr).toBe(
      "org-keys: Unknown --store 'mongodb://x'; use one of: memory, sqlite://PATH, redis://HOST:PORT, postgres://USER@HOST/DB\n",
    );
    // Closed ports, not stopped servers: the shared Redis and Postgres stay up for everyone else.
    expect(await orgKeys(['list', '--store', 'redis://127.0.0.1:1', '--timeout', '1'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'org-keys: Key store unreachable: redis://127.0.0.1:1\n',
    });
    expect(await orgKeys(['list', '--store', 'postgres://postgres:hunter2@127.0.0.1:1/test'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'org-keys: Key store unreachable: postgres://postgres:***@127.0.0.1:1/test\n',
    });
  });

  it('never prints a store credential: userinfo, password/pass/pwd parameters, unparsable URLs', async () => {
    // Closed ports: every run fails to connect and reports the store it tried.
    const cases: Array<[string, string]> = [
      ['postgres://app@127.0.0.1:1/test?password=hunter2', 'postgres://app@127.0.0.1:1/test?password=***'],
      [
        'postgresql://app:hunter2@127.0.0.1:1/test?sslpassword=hunter3&application_name=keys',
        'postgresql://app:***@127.0.0.1:1/test?sslpassword=***&application_name=keys',
      ],
      ['redis://:hunter2@127.0.0.1:1', 'redis://:***@127.0.0.1:1'],
      [
        'redis://default:hunter2@127.0.0.1:1/0?pass=hunter3&pwd=hunter4',
        'redis://default:***@127.0.0.1:1/0?pass=***&pwd=***',
      ],
      // Not a URL (a port out of range): nothing of it is shown but the scheme.
      ['postgres://app:hunter2@127.0.0.1:99999/test', 'postgres://*** (not a valid URL, not shown)'],
      ['redis://:hunter2@[::1:1', 'redis://*** (not a valid URL, not shown)'],
    ];
    // Each form on the command line (every form is also in the attack catalogue, without processes)...
    for (const [spec, shown] of cases) {
      const run = await orgKeys(['list', '--store', spec, '--timeout', '2']);
      expect(run).toEqual({ code: 1, stdout: '', stderr: `org-keys: Key store unreachable: ${shown}\n` });
      expect(run.stderr).not.toMatch(/hunter/);
    }
    // ...and from the environment instead (out of ps and shell history): ORG_KEYS_STORE, or --store-env.
    const [spec, shown] = cases[1]!;
    for (const run of [
      await orgKeys(['list', '--timeout', '2'], { env: { ORG_KEYS_STORE: spec } }),
      await orgKeys(['list', '--store-env', 'DB_URL', '--timeout', '2'], { env: { DB_URL: spec } }),
    ]) {
      expect(run).toEqual({ code: 1, stdout: '', stderr: `org-keys: Key store unreachable: ${shown}\n` });
    }
    expect(await orgKeys(['list', '--store-env', 'NOPE'])).toMatchObject({
      code: 1,
      stderr: 'org-keys: Environment variable NOPE is not set (it must hold the key store URL)\n',
    });
    expect(await orgKeys(['list', '--store', 'memory', '--store-env', 'X'])).toMatchObject({
      code: 2,
      stderr: 'org-keys: Give --store or --store-env, not both\n',
    });
  });

  it('gives up on a store that never answers after --timeout, and exits', async () => {
    for (const target of [
      { port: 6379, spec: (port: number) => `redis://127.0.0.1:${port}` },
      { port: 5432, spec: (port: number) => `postgres://postgres@127.0.0.1:${port}/test` },
    ]) {
      const proxy = await startTcpProxy({ host: '127.0.0.1', port: target.port });
      proxy.set('hang');
      try {
        const spec = target.spec(proxy.port);
        expect(await orgKeys(['list', '--store', spec, '--timeout', '0.5'])).toEqual({
          code: 1,
          stdout: '',
          stderr: `org-keys: Key store unreachable: ${spec}\n`,
        });
      } finally {
        await proxy.close();
      }
    }
  });

  it('reports usage and KEK problems', async () => {
    expect(await orgKeys(['frob'])).toMatchObject({
      code: 2,
      stderr: "org-keys: Unknown command 'frob' (see --help)\n",
    });
    expect(await orgKeys(['list', '--bogus'])).toMatchObject({
      code: 2,
      stderr: "org-keys: Unknown option '--bogus' (see --help)\n",
    });
    // A kid is base64url: about one in 64 starts with '-', which only parses after `--`.
    expect(await orgKeys(['revoke', '-jx2Q'])).toMatchObject({
      code: 2,
      stderr: "org-keys: Unknown option '-j'; put a value starting with '-' after -- (see --help)\n",
    });
    expect(await orgKeys(['generate', '--store', 'memory', '--alg', 'HS256'])).toMatchObject({ code: 2 });
    expect(await orgKeys(['list', '--store', 'memory'], { env: { ORG_KEYS_KEK: undefined } })).toMatchObject({
      code: 1,
      stderr:
        'org-keys: Environment variable ORG_KEYS_KEK is not set (it must hold the key-encryption secret)\n',
    });
    expect(await orgKeys(['list', '--store', 'memory'], { env: { ORG_KEYS_KEK: 'short' } })).toMatchObject({
      code: 1,
      stderr: 'org-keys: ORG_KEYS_KEK holds 5 bytes; the key-encryption secret needs at least 32\n',
    });
    expect(
      await orgKeys(['list', '--store', 'memory'], {
        env: { ORG_KEYS_KEK: 'a-string-secret-at-least-256-bits-long' },
      }),
    ).toMatchObject({
      code: 1,
      stderr:
        'org-keys: ORG_KEYS_KEK is a well-known example secret; generate a random one (e.g. 64 random bytes)\n',
    });
    const help = await orgKeys(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: org-keys <command> \[options\]/);
  });
});

describe('org-keys import', () => {
  const store = sqlite('import');

  it('imports PEM, JWK and node-jose key store files as verify-only published keys', async () => {
    await orgKeys(['generate', '--store', store]);
    const pem = join(dir, 'key.pem');
    writeFileSync(
      pem,
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    const jwk = join(dir, 'key.jwk');
    writeFileSync(
      jwk,
      JSON.stringify({
        ...generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }),
        kid: 'legacy-ed',
        alg: 'EdDSA',
      }),
    );
    const keystore = nodeJose.JWK.createKeyStore();
    await keystore.generate('EC', 'P-384', { kid: 'legacy-jose', alg: 'ES384', use: 'sig' });
    const jose = join(dir, 'keystore.json');
    writeFileSync(jose, JSON.stringify(keystore.toJSON(true)));

    for (const file of [pem, jwk, jose]) {
      const run = await orgKeys(['import', file, '--store', store]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Imported 1 key\(s\); 0 already present\./);
    }
    const again = await orgKeys(['import', jose, '--store', store, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: [], existing: ['legacy-jose'] });
    const jwks = JSON.parse((await orgKeys(['export-jwks', '--store', store])).stdout) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining(['legacy-ed', 'legacy-jose']));
    expect(jwks.keys).toHaveLength(4);
  });

  it('reports a bad or missing file in one line', async () => {
    const bad = join(dir, 'bad.pem');
    writeFileSync(bad, 'this is not a key');
    const run = await orgKeys(['import', bad, '--store', store]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`org-keys: Bad key file ${bad}: Key import: text is neither PEM nor JSON\n`);
    const oct = join(dir, 'oct.jwk');
    writeFileSync(oct, JSON.stringify({ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA' }));
    expect((await orgKeys(['import', oct, '--store', store])).stderr).toMatch(
      /^org-keys: Bad key file .*symmetric/,
    );
    const missing = join(dir, 'missing.pem');
    expect(await orgKeys(['import', missing, '--store', store])).toMatchObject({
      code: 1,
      stderr: `org-keys: Cannot read ${missing}: ENOENT\n`,
    });
  });
});

describe('org-keys verify-token', () => {
  const store = sqlite('verify');
  let token: string;

  beforeAll(async () => {
    await orgKeys(['generate', '--store', store]);
    const keyStore = sqliteKeyStore({ filename: store.slice('sqlite://'.length) });
    const ring = createKeyRing({ kek: { secret: KEK }, store: keyStore });
    await ring.refresh();
    const tokens = new TokenService({
      keyRing: ring,
      jwtOptions: { issuer: 'https://issuer.example.com', audience: 'https://api.example.com' },
    });
    token = await tokens.createAccessToken({}, { subject: 'user-1' });
    await keyStore.close();
  }, 30_000);

  it('verifies a token against the published keys', async () => {
    const run = await orgKeys([
      'verify-token',
      token,
      '--store',
      store,
      '--issuer',
      'https://issuer.example.com',
      '--audience',
      'https://api.example.com',
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      valid: true,
      header: { alg: 'ES256', typ: 'access' },
      payload: { sub: 'user-1', iss: 'https://issuer.example.com' },
    });
    const fromStdin = await orgKeys(['verify-token', '-', '--store', store], { stdin: `${token}\n` });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toMatch(/^Valid token \(kid \S+, ES256\), expires /);
  });

  it('refuses a tampered token, a wrong audience and a token of unknown keys', async () => {
    const tampered = `${token.slice(0, -4)}AAAA`;
    expect(await orgKeys(['verify-token', tampered, '--store', store])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Invalid token: Invalid signature (invalid-signature)\n',
    });
    const aud = await orgKeys([
      'verify-token',
      token,
      '--store',
      store,
      '--audience',
      'https://other.example.com',
      '--json',
    ]);
    expect(aud.code).toBe(1);
    expect(JSON.parse(aud.stdout)).toMatchObject({ valid: false, reason: 'claim-invalid' });
    const other = sqlite('verify-other');
    await orgKeys(['generate', '--store', other]);
    expect((await orgKeys(['verify-token', token, '--store', other])).stderr).toMatch(/\(key-not-found\)\n$/);
  });
});

describe('org-keys on a real Redis store', () => {
  const namespace = `jwks_helper_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

  afterAll(async () => {
    const store = redisKeyStore({ url, namespace });
    for (const { id } of await store.list()) await store.delete(id);
    await store.close();
  });

  it('generates and lists keys shared through Redis', async () => {
    const run = await orgKeys(['generate', '--store', url, '--namespace', namespace, '--json']);
    expect(run.code).toBe(0);
    const generated = (JSON.parse(run.stdout) as { keys: ListedKey[] }).keys;
    const listed = await orgKeys(['list', '--store', url, '--namespace', namespace, '--json']);
    expect((JSON.parse(listed.stdout) as { keys: ListedKey[] }).keys).toEqual(generated);
    // What Redis holds: sealed records, no private member in clear.
    const store = redisKeyStore({ url, namespace });
    const values = (await store.list()).map((e) => e.value);
    await store.close();
    expect(values).toHaveLength(2);
    for (const value of values) expect(value).not.toMatch(PRIVATE);
  });
});
