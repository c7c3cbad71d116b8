import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { runKeyStoreConformance } from './key-store-conformance.ts';
import { sqliteKeyStore } from './sqlite-key-store.ts';

// A real file, so separate handles are separate sqlite3 connections contending on the same database.
const dir = mkdtempSync(join(tmpdir(), 'org-keys-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
runKeyStoreConformance({
  name: '@keyv/sqlite',
  open: (namespace) => sqliteKeyStore({ uri: `sqlite://${join(dir, 'keys.sqlite')}`, namespace }),
});
