import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { memoryAdapter } from '@org/adapter-memory';
import { postgresAdapter } from '@org/adapter-postgres';
import { sqliteAdapter } from '@org/adapter-sqlite';
import type { EntityService } from '@org/core';

/** A users store as the end-to-end tests use it. */
export type Users = EntityService<Record<string, any>>;

/** How a test wants its users store: the same options on every adapter. */
export interface StoreOptions {
  /** Top-level unique fields. */
  uniqueFields: string[];
  /** The id field (`id` when absent). */
  id?: string;
  /** The type of assigned ids (`number` when absent). */
  idType?: 'number' | 'string';
  /** Feathers' pagination (none when absent). */
  paginate?: { default?: number; max?: number };
}

/** One entity store under test: a fresh, empty users store, and its teardown. */
export interface AdapterCase {
  name: string;
  create(options: StoreOptions): Promise<{ users: Users; close(): Promise<void> }>;
}

/** The real server (`.ci/run` starts it); the Postgres case fails, not skips, when it is missing. */
const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Every adapter the end-to-end tests run on: memory, SQLite (memory and file) and Postgres. */
export const ADAPTERS: AdapterCase[] = [
  {
    name: 'memory',
    async create(options) {
      return { users: memoryAdapter(options), close: async () => {} };
    },
  },
  {
    name: 'sqlite (:memory:)',
    async create(options) {
      const users = sqliteAdapter({ filename: ':memory:', table: 'users', ...options });
      return { users, close: async () => users.close() };
    },
  },
  {
    name: 'sqlite (file)',
    async create(options) {
      const dir = await mkdtemp(join(tmpdir(), 'strategy-local-e2e-'));
      const users = sqliteAdapter({ filename: join(dir, 'app.db'), table: 'users', ...options });
      return {
        users,
        close: async () => {
          users.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    async create(options) {
      const schema = `local_e2e_${randomBytes(6).toString('hex')}`;
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
      const users = postgresAdapter({ pool, schema, table: 'users', ...options });
      await users.start();
      return {
        users,
        close: async () => {
          await users.close();
          await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await pool.end();
        },
      };
    },
  },
];
