import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKeyRing } from '../keys/key-ring.ts';
import type { KeyRecord } from '../keys/key-record.ts';
import type { KeyStore } from '../keys/stores/key-store.ts';
import { sqliteKeyStore } from '../keys/stores/sqlite-key-store.ts';
import { CLI_TEST_TIMEOUT, cliBin, KEK, orgKeys, OTHER_KEK } from './test-cli-support.ts';

vi.setConfig({ testTimeout: CLI_TEST_TIMEOUT });

// Records no configured KEK opens (a deploy with a typo in its KEK won a race, a flipped byte) are ignored
// by every ring and stay in the store: `org-keys list` shows them with their reason, and
// `org-keys remove-unreadable` removes them, saying what it deletes.
const dir = mkdtempSync(join(tmpdir(), 'org-keys-unreadable-'));
const opened: KeyStore[] = [];
beforeAll(async () => {
  await cliBin();
}, 30_000);
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

/** A deployment's store with its two keys, plus one record sealed by a typo'd KEK and one flipped byte. */
async function damaged(name: string) {
  const filename = join(dir, `${name}.sqlite`);
  const store = sqliteKeyStore({ filename });
  opened.push(store);
  const ring = createKeyRing({ kek: { id: 'prod', secret: KEK }, store });
  await ring.refresh();
  const typo = createKeyRing({
    kek: { id: 'typo', secret: OTHER_KEK },
    store: sqliteKeyStore({ filename: ':memory:' }),
  });
  await typo.refresh();
  const [planted] = await typo.store.list();
  await typo.store.close();
  const next = ring.keys().sort((a, b) => a.activateAt - b.activateAt)[1]!;
  const plantedId = next.id.replace(/:(\d+)$/, (_, n: string) => `:${Number(n) + 1}`);
  await store.createIfAbsent(plantedId, planted!.value.replace(planted!.id, plantedId));
  const record = JSON.parse((await store.get(next.id))!) as KeyRecord;
  const mac = Buffer.from(record.mac, 'base64url');
  mac[3]! ^= 1;
  await store.update(next.id, JSON.stringify({ ...record, mac: mac.toString('base64url') }));
  const readable = ring.keys().find((k) => k.id !== next.id)!.id;
  return { spec: `sqlite://${filename}`, store, tampered: next.id, planted: plantedId, readable };
}

const env = { ORG_KEYS_KEK_ID: 'prod' };

describe('org-keys list shows unreadable records', () => {
  it('with their reason and KEK id, in the table and in --json; never their content', async () => {
    const { spec, tampered, planted, readable } = await damaged('list');
    const run = await orgKeys(['list', '--store', spec], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(readable.split(':')[0]);
    const section = run.stdout.slice(run.stdout.indexOf('Unreadable records'));
    expect(section.split('\n')).toEqual([
      'Unreadable records (ignored; no KEK given opens them; remove them with org-keys remove-unreadable):',
      expect.stringMatching(/^ID +REASON +KEK ID$/),
      expect.stringMatching(new RegExp(`^${tampered} +bad-mac +prod$`)),
      expect.stringMatching(new RegExp(`^${planted} +unknown-kek +typo$`)),
      '',
    ]);
    expect(run.stderr).toBe(
      `warning: record ${tampered} ignored (bad-mac)\nwarning: record ${planted} ignored (unknown-kek)\n`,
    );
    const json = JSON.parse((await orgKeys(['list', '--store', spec, '--json'], { env })).stdout) as {
      keys: unknown[];
      unreadable: unknown[];
    };
    expect(json.keys).toHaveLength(1);
    expect(json.unreadable).toEqual([
      { id: tampered, reason: 'bad-mac', kekId: 'prod' },
      { id: planted, reason: 'unknown-kek', kekId: 'typo' },
    ]);
    expect(run.stdout).not.toMatch(/"(ct|iv|tag|mac)"/);
  });
});

describe('org-keys remove-unreadable', () => {
  it('previews with --dry-run, removes what it names, and leaves readable records alone', async () => {
    const { spec, store, tampered, planted, readable } = await damaged('remove');
    const ids = async () => (await store.list()).map((e) => e.id).sort();
    const all = await ids();

    const preview = await orgKeys(['remove-unreadable', '--store', spec, '--dry-run'], { env });
    expect(preview).toEqual({
      code: 0,
      stderr: '',
      stdout:
        `Would remove ${tampered}: bad-mac, sealed under KEK id prod\n` +
        `Would remove ${planted}: unknown-kek, sealed under KEK id typo (if that KEK is one of the deployment's, pass it with --old-kek-env instead)\n` +
        'Would remove 2 unreadable record(s).\n',
    });
    expect(await ids()).toEqual(all);

    expect(await orgKeys(['remove-unreadable', '--store', spec, readable], { env })).toEqual({
      code: 1,
      stdout: '',
      stderr: `org-keys: Record ${readable} opens with the given KEK: remove-unreadable only removes records no KEK opens (org-keys revoke revokes a key)\n`,
    });
    expect(await orgKeys(['remove-unreadable', '--store', spec, 'slot:ES256:1'], { env })).toMatchObject({
      code: 1,
      stderr: 'org-keys: No record slot:ES256:1 in the store\n',
    });

    const one = await orgKeys(['remove-unreadable', '--store', spec, '--json', tampered], { env });
    expect(one).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(one.stdout)).toEqual({
      dryRun: false,
      removed: [{ id: tampered, reason: 'bad-mac', kekId: 'prod' }],
      skipped: [],
    });
    expect(await ids()).toEqual(all.filter((id) => id !== tampered));

    expect(await orgKeys(['remove-unreadable', '--store', spec], { env })).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/Removed 1 unreadable record\(s\)\.\n$/),
    });
    expect(await ids()).toEqual([readable]);
    expect(await orgKeys(['remove-unreadable', '--store', spec], { env })).toEqual({
      code: 0,
      stderr: '',
      stdout: 'No unreadable records.\n',
    });
  });

  it('removes nothing with a KEK that opens nothing: that is a wrong KEK, not bad records', async () => {
    const { spec, store } = await damaged('wrong');
    const before = await store.list();
    const run = await orgKeys(['remove-unreadable', '--store', spec], { env: { ORG_KEYS_KEK: OTHER_KEK } });
    expect(run).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(/^org-keys: KEK mismatch: none of the 3 records/),
    });
    expect(await store.list()).toEqual(before);
  });

  it('refuses a store that does not exist instead of creating it', async () => {
    const spec = `sqlite://${join(dir, 'missing.sqlite')}`;
    expect(await orgKeys(['remove-unreadable', '--store', spec])).toMatchObject({
      code: 1,
      stderr: `org-keys: Key store not found: no SQLite file at ${join(dir, 'missing.sqlite')}\n`,
    });
  });
});
