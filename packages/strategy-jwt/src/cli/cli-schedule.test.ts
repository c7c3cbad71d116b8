import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKeyRing, type KeyRing } from '../keys/key-ring.ts';
import type { KeyRingOptions } from '../keys/key-ring-options.ts';
import type { KeyStore } from '../keys/stores/key-store.ts';
import { sqliteKeyStore } from '../keys/stores/sqlite-key-store.ts';
import { CLI_TEST_TIMEOUT, cliBin, KEK, orgKeys } from './test-cli-support.ts';

vi.setConfig({ testTimeout: CLI_TEST_TIMEOUT });

const dir = mkdtempSync(join(tmpdir(), 'org-keys-schedule-'));
const DAY = 86_400_000;
const MINUTE = 60_000;
// A deployment that does not use the defaults: weekly keys, 3-day tokens.
const DEPLOYMENT = { rotationPeriod: '7d', maxTokenLifetime: '3d' } as const;
const FLAGS = ['--rotation-period', '7d', '--max-token-lifetime', '3d'];
const opened: KeyStore[] = [];

beforeAll(async () => {
  await cliBin();
}, 30_000);
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

async function deployment(name: string, options: Partial<KeyRingOptions> = DEPLOYMENT) {
  const spec = `sqlite://${join(dir, `${name}.sqlite`)}`;
  const store = sqliteKeyStore({ filename: spec.slice('sqlite://'.length) });
  opened.push(store);
  const ring: KeyRing = createKeyRing({ kek: { secret: KEK }, store, ...options });
  await ring.refresh();
  return { spec, ring };
}

describe('org-keys writes with the deployment schedule', () => {
  it.each([['generate'], ['rotate'], ['rewrap'], ['revoke', 'kid']])(
    '%s refuses defaults that would retire keys before their tokens expire',
    async (...command) => {
      const { spec, ring } = await deployment(`refuse-${command[0]}`);
      const before = ring.keys();
      expect(await orgKeys([...command, '--store', spec])).toEqual({
        code: 2,
        stdout: '',
        stderr:
          "org-keys: The store's ES256 keys rotate on another period than 30d: pass the deployment's --rotation-period\n",
      });
      expect(
        await orgKeys([...command, '--store', spec, '--rotation-period', '7d', '--retention', '2d']),
      ).toEqual({
        code: 2,
        stdout: '',
        stderr:
          "org-keys: The store keeps ES256 keys published 4d 5m after they stop signing, longer than this command's 2d: " +
          "pass the deployment's --retention (or --max-token-lifetime, --clock-tolerance, --cache-lifetime)\n",
      });
      await ring.refresh();
      expect(ring.keys()).toEqual(before); // nothing written
    },
  );

  it('refuses a pre-publication shorter than the one the store was scheduled with', async () => {
    const { spec } = await deployment('prepub', { ...DEPLOYMENT, prePublication: '2d' });
    expect(await orgKeys(['rotate', '--store', spec, ...FLAGS])).toMatchObject({
      code: 2,
      stderr:
        "org-keys: The store publishes ES256 keys 2d 5m before they sign, longer than this command's 1d 5m: " +
        "pass the deployment's --pre-publication (and --clock-tolerance)\n",
    });
  });

  it('revokes with the deployment settings: the replacement keeps the deployment retention', async () => {
    const { spec, ring } = await deployment('revoke');
    const kid = (await ring.getSigningKey()).kid!;
    // A kid is a base64url thumbprint: one in 64 starts with '-' and would parse as an option without '--'.
    const run = await orgKeys(['revoke', '--store', spec, ...FLAGS, '--json', '--', kid]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    await ring.refresh();
    const replacement = ring.keys().find((k) => k.state === 'active')!;
    expect(replacement.kid).not.toBe(kid);
    expect(replacement.retireAt - replacement.deactivateAt).toBe(3 * DAY + 5 * MINUTE + DAY);
    expect(replacement.deactivateAt % (7 * DAY)).toBe(0); // the deployment's weekly slot
    expect((await ring.getSigningKey()).kid).toBe(replacement.kid);
  });

  it('rotates with the deployment settings', async () => {
    const { spec, ring } = await deployment('rotate');
    const run = await orgKeys(['rotate', '--store', spec, ...FLAGS, '--json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const { rotated } = JSON.parse(run.stdout) as { rotated: string };
    await ring.refresh();
    const keys = ring.keys();
    const fresh = keys.find((k) => k.kid === rotated)!;
    expect(fresh).toMatchObject({ state: 'pending' });
    expect(fresh.activateAt - fresh.publishAt).toBe(DAY + 5 * MINUTE); // prePublication + clockTolerance
    const shortened = keys.find((k) => k.deactivateAt === fresh.activateAt)!;
    expect(shortened.retireAt - shortened.deactivateAt).toBe(3 * DAY + 5 * MINUTE + DAY);
  });

  it('reports a bad schedule flag by its name', async () => {
    expect(await orgKeys(['generate', '--store', 'memory', '--rotation-period', '30'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "org-keys: --rotation-period has no unit; write '30s' for seconds (or pass a number)\n",
    });
    expect(await orgKeys(['generate', '--store', 'memory', '--pre-publication', '1h'])).toMatchObject({
      code: 2,
      stderr:
        'org-keys: --pre-publication is shorter than --cache-lifetime: a cached JWKS would miss the next key when it starts signing\n',
    });
  });
});

describe('org-keys on a short schedule (every ring setting is a flag, defaults derived as the ring derives them)', () => {
  const SHORT = {
    rotationPeriod: 60,
    prePublication: 20,
    cacheLifetime: 20,
    clockTolerance: 5,
    maxTokenLifetime: 10,
    refreshInterval: 4,
  } as const;
  const SHORT_FLAGS = [
    '--rotation-period',
    '60s',
    '--pre-publication',
    '20s',
    '--cache-lifetime',
    '20s',
    '--clock-tolerance',
    '5s',
    '--max-token-lifetime',
    '10s',
  ];

  it('revokes on a 60 s rotation with a 20 s pre-publication, the refresh interval derived from it', async () => {
    const { spec, ring } = await deployment('short', SHORT);
    const kid = (await ring.getSigningKey()).kid!;
    const run = await orgKeys(['revoke', '--store', spec, ...SHORT_FLAGS, '--json', '--', kid]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    await ring.refresh();
    expect((await ring.getSigningKey()).kid).not.toBe(kid);
    expect(
      await orgKeys(['rotate', '--store', spec, ...SHORT_FLAGS, '--refresh-interval', '4s', '--json']),
    ).toMatchObject({ code: 0, stderr: '' });
  });

  it('names its own flags in every schedule error', async () => {
    const cases: Array<[string[], string]> = [
      [
        ['--pre-publication', '20s'],
        'org-keys: --pre-publication is shorter than --cache-lifetime: a cached JWKS would miss the next key when it starts signing\n',
      ],
      [
        [...SHORT_FLAGS, '--refresh-interval', '30s'],
        'org-keys: --refresh-interval must be between 1 second and --pre-publication\n',
      ],
      [
        [...SHORT_FLAGS, '--retention', '12s'],
        'org-keys: --retention is shorter than --max-token-lifetime + --clock-tolerance: tokens would fail before they expire\n',
      ],
      [
        [...SHORT_FLAGS, '--clock-tolerance', '40s', '--retention', '1h'],
        'org-keys: --pre-publication + --clock-tolerance must be shorter than --rotation-period: keys are published that long before their slot\n',
      ],
      [
        ['--rsa-modulus-length', '1024'],
        'org-keys: --rsa-modulus-length must be a multiple of 8 of at least 2048\n',
      ],
      [
        ['--unknown-kid-cooldown', 'soon'],
        expect.stringMatching(/^org-keys: --unknown-kid-cooldown is not a duration/) as never,
      ],
    ];
    for (const [flags, stderr] of cases) {
      expect(await orgKeys(['generate', '--store', 'memory', ...flags])).toEqual({
        code: 2,
        stdout: '',
        stderr,
      });
    }
  });

  it('has a flag for every setting the ring validates', async () => {
    const { SCHEDULE_FLAGS } = await import('./schedule-flags.ts');
    const { resolveKeyRingSettings } = await import('../keys/key-ring-options.ts');
    const settings = Object.keys(resolveKeyRingSettings({ kek: { secret: KEK } })).filter(
      (s) => s !== 'algorithm',
    );
    expect(Object.values(SCHEDULE_FLAGS).sort()).toEqual(settings.sort());
  });
});

describe('org-keys KEK id', () => {
  it('reads the deployment KEK id from <NAME>_ID', async () => {
    const spec = `sqlite://${join(dir, 'kek-id.sqlite')}`;
    const store = sqliteKeyStore({ filename: spec.slice('sqlite://'.length) });
    opened.push(store);
    const ring = createKeyRing({ kek: { id: 'kek-2026', secret: KEK }, store });
    await ring.refresh();
    expect((await orgKeys(['list', '--store', spec])).stderr).toMatch(
      /^org-keys: KEK mismatch: .* they were sealed under KEK id\(s\) kek-2026\./,
    );
    const run = await orgKeys(['list', '--store', spec, '--json'], { env: { ORG_KEYS_KEK_ID: 'kek-2026' } });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const { keys } = JSON.parse(run.stdout) as { keys: Array<{ kekId: string }> };
    expect(keys.map((k) => k.kekId)).toEqual(['kek-2026', 'kek-2026']);
    expect(await orgKeys(['list', '--store', spec], { env: { ORG_KEYS_KEK_ID: 'bad id!' } })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'org-keys: ORG_KEYS_KEK_ID must be 1-64 characters of A-Z a-z 0-9 . _ -\n',
    });
  });
});
