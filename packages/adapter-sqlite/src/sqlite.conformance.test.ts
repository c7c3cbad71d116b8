import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { entityServiceConformance } from '@org/adapter-tests';
import { sqliteAdapter } from './sqlite-adapter.ts';

const dir = mkdtempSync(join(tmpdir(), 'org-adapter-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

entityServiceConformance('sqlite (file, number ids)', {
  setup: () => {
    const filename = join(dir, `conformance-${++n}.db`);
    const service = sqliteAdapter({ filename, table: 'users', uniqueFields: ['email', 'username'] });
    return { service, cleanup: () => service.close() };
  },
  setupPaginated: (paginate) => {
    const service = sqliteAdapter({ filename: join(dir, `paginated-${++n}.db`), table: 'users', paginate });
    return { service, cleanup: () => service.close() };
  },
  setupStartId: (startId) => {
    const service = sqliteAdapter({ filename: join(dir, `start-id-${++n}.db`), table: 'users', startId });
    return { service, cleanup: () => service.close() };
  },
  capabilities: { idType: 'number', uniqueFields: ['email', 'username'], events: true },
});

entityServiceConformance('sqlite (:memory:, string ids, _id field)', {
  setup: () => {
    const service = sqliteAdapter({
      filename: ':memory:',
      table: 'people',
      id: '_id',
      idType: 'string',
      uniqueFields: ['username'],
    });
    return { service, cleanup: () => service.close() };
  },
  capabilities: { idType: 'string', uniqueFields: ['username'], events: true },
});
