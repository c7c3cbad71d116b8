// Configuration in Feathers' shape (config/default.json, NODE_CONFIG, the variables of
// config/custom-environment-variables.json) and the KEK that never lives in it.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemo } from '../src/app.ts';
import { loadConfig, publicUrlOf } from '../src/config.ts';
import { loadKek } from '../src/kek.ts';
import { bearer, signUpAndLogIn, startDemo, testConfig, type TestDemo } from './support.ts';

const folders: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'org-demo-config-'));
  folders.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('reads config/default.json: 127.0.0.1:3030, data/, no database, Feathers authentication settings', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3030,
      dataDir: 'data',
      postgres: null,
      redis: null,
    });
    expect(config.authentication).toMatchObject({
      entity: 'user',
      service: 'users',
      authStrategies: ['jwt', 'local'],
      local: { usernameField: 'email', passwordField: 'password' },
    });
    expect(JSON.stringify(config)).not.toMatch(/secret/i);
    expect(publicUrlOf(config)).toBe('http://127.0.0.1:3030');
  });

  it('takes PORT, HOST, PUBLIC_URL, DATA_DIR, DATABASE_URL and REDIS_URL from the environment', () => {
    const config = loadConfig({
      PORT: '4000',
      HOST: '::1',
      DATA_DIR: '/tmp/x',
      DATABASE_URL: 'postgres://postgres@127.0.0.1/test',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(config).toMatchObject({
      port: 4000,
      host: '::1',
      dataDir: '/tmp/x',
      postgres: 'postgres://postgres@127.0.0.1/test',
      redis: 'redis://127.0.0.1:6379',
    });
    expect(publicUrlOf(config)).toBe('http://[::1]:4000');
    expect(publicUrlOf(loadConfig({ PUBLIC_URL: 'https://demo.example.com/' }))).toBe(
      'https://demo.example.com',
    );
  });

  it('deep-merges NODE_CONFIG, environment variables winning', () => {
    const config = loadConfig({
      NODE_CONFIG: JSON.stringify({ port: 5000, authentication: { jwtOptions: { expiresIn: '5m' } } }),
      PORT: '5001',
    });
    expect(config.port).toBe(5001);
    expect(config.authentication.jwtOptions).toEqual({
      header: { typ: 'access' },
      algorithm: 'ES256',
      expiresIn: '5m',
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number, got "eighty"'],
    [{ NODE_CONFIG: '{"prot": 1}' }, 'unknown option "prot" (did you mean "port"?)'],
    [{ NODE_CONFIG: '[1]' }, 'NODE_CONFIG is not a JSON object'],
    [{ NODE_CONFIG: '{"port": 70000}' }, 'port must be a whole number from 0 to 65535'],
    [{ REDIS_URL: 'not a url' }, 'redis must be a URL or null'],
  ])('refuses %j with a configuration error', (env, message) => {
    expect(() => loadConfig(env)).toThrow(
      expect.objectContaining({
        code: 400,
        reason: 'invalid-configuration',
        message: expect.stringContaining(message),
      }),
    );
  });
});

describe("the Feathers JWT page's example", () => {
  let demo: TestDemo | undefined;
  afterEach(async () => demo?.dispose());

  it('works as is: authentication.jwt.header "X-Auth" moves the token to that header', async () => {
    demo = await startDemo({ authentication: { jwt: { header: 'X-Auth' } } });
    const { accessToken, user } = await signUpAndLogIn(demo);
    const viaXAuth = await demo.app.inject({
      method: 'GET',
      url: '/users/me',
      headers: { 'x-auth': accessToken },
    });
    expect(viaXAuth.statusCode).toBe(200);
    expect(viaXAuth.json()).toEqual(user);
    const viaAuthorization = await demo.app.inject({
      method: 'GET',
      url: '/users/me',
      headers: bearer(accessToken),
    });
    expect(viaAuthorization.statusCode).toBe(401);
  });

  it('refuses a secret: the demo signs with its key ring, never a committed secret', async () => {
    const config = testConfig({ dataDir: tempDir(), authentication: { secret: 'CHANGE_ME' } });
    await expect(createDemo(config, {})).rejects.toMatchObject({
      reason: 'invalid-configuration',
      message: expect.stringContaining('authentication.secret'),
    });
  });

  it('refuses a typo in the authentication section with a did-you-mean hint', async () => {
    const config = testConfig({ dataDir: tempDir(), authentication: { jwtOption: {} } });
    await expect(createDemo(config, {})).rejects.toMatchObject({
      message: expect.stringContaining("Did you mean 'jwtOptions'?"),
    });
  });
});

describe('the KEK', () => {
  it('is generated on first start into the data folder, mode 0600, and read back afterwards', () => {
    const dir = join(tempDir(), 'data');
    const first = loadKek(dir, {});
    expect(first.source).toBe('generated');
    expect(Buffer.byteLength(first.secret)).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dir, 'kek')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const second = loadKek(dir, {});
    expect(second).toEqual({ secret: first.secret, source: 'file' });
  });

  it('comes from AUTH_KEK when set, and no file is written', () => {
    const dir = tempDir();
    const secret = 'k'.repeat(40);
    expect(loadKek(dir, { AUTH_KEK: secret })).toEqual({ secret, source: 'environment' });
    expect(() => readFileSync(join(dir, 'kek'))).toThrow();
  });

  it('refuses a short AUTH_KEK and a KEK file others can read', () => {
    expect(() => loadKek(tempDir(), { AUTH_KEK: 'short' })).toThrow(/AUTH_KEK must be at least 32 bytes/);
    const dir = tempDir();
    writeFileSync(join(dir, 'kek'), 'x'.repeat(43));
    chmodSync(join(dir, 'kek'), 0o644);
    expect(() => loadKek(dir, {})).toThrow(/readable by other users/);
  });

  it('keeps the key ring across restarts: the same kid signs after a restart', async () => {
    const dataDir = tempDir();
    const first = await createDemo(testConfig({ dataDir }), {});
    const kid = (await first.keyRing.getSigningKey()).kid;
    await first.close();
    const second = await createDemo(testConfig({ dataDir }), {});
    expect((await second.keyRing.getSigningKey()).kid).toBe(kid);
    await second.close();
    // Another KEK opens none of the stored keys: the start fails and says why, nothing is overwritten.
    await expect(
      createDemo(testConfig({ dataDir }), { AUTH_KEK: 'another-kek-of-at-least-32-bytes!!' }),
    ).rejects.toMatchObject({
      code: 400,
      reason: 'invalid-configuration',
      message: expect.stringMatching(/^KEK mismatch: .*The demo reads its KEK from AUTH_KEK/),
    });
    const fourth = await createDemo(testConfig({ dataDir }), {});
    expect((await fourth.keyRing.getSigningKey()).kid).toBe(kid);
    await fourth.close();
  });
});
