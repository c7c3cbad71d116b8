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
        "org-keys: The store publishes ES256 keys 2d before they sign, longer than this command's 1d: pass the deployment's --pre-publication\n",
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
    expect(fresh.activateAt - fresh.publishAt).toBe(DAY);
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

describe('org-keys KEK id', () => {
  it('reads the deployment KEK id from <NAME>_ID', async () => {
    const spec = `sqlite://${join(dir, 'kek-id.sqlite')}`;
    const store = sqliteKeyStore({ filename: spec.slice('sqlite://'.length) });
    opened.push(store);
    const ring = createKeyRing({ kek: { id: 'kek-2026', secret: KEK }, store });
    await ring.refresh();
    expect((await orgKeys(['list', '--store', spec])).stderr).toMatch(/^org-keys: Wrong KEK: /);
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
