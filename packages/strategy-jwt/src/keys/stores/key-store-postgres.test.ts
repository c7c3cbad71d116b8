import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { runKeyStoreConformance } from './key-store-conformance.ts';
import { postgresKeyStore } from './postgres-key-store.ts';

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// Real Postgres (fails, never skips, when it is down); a table of its own per run, namespaces per test.
const table = `org_keys_conf_${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  const client = new pg.Client({ connectionString });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS "${table}"`);
  await client.end();
});
runKeyStoreConformance({
  name: 'postgres',
  open: (namespace) => postgresKeyStore({ connectionString, table, namespace }),
});
