import pg from 'pg';
import { afterAll } from 'vitest';
import { entityServiceConformance } from '@org/adapter-tests';
import { postgresAdapter } from './postgres-adapter.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from './test-db.ts';

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
const schema = uniqueSchema('org_adapter_conformance');
afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});
let n = 0;

entityServiceConformance('postgres (number ids)', {
  setup: async () => {
    const service = postgresAdapter({
      pool,
      schema,
      table: `users_${++n}`,
      uniqueFields: ['email', 'username'],
    });
    await service.start();
    return { service };
  },
  setupPaginated: async (paginate) => {
    const service = postgresAdapter({ pool, schema, table: `paged_${++n}`, paginate });
    await service.start();
    return { service };
  },
  setupStartId: async (startId) => {
    const service = postgresAdapter({ pool, schema, table: `start_${++n}`, startId });
    await service.start();
    return { service };
  },
  capabilities: { idType: 'number', uniqueFields: ['email', 'username'], events: true },
});

entityServiceConformance('postgres (string ids, _id field)', {
  setup: async () => {
    const service = postgresAdapter({
      pool,
      schema,
      table: `people_${++n}`,
      id: '_id',
      idType: 'string',
      uniqueFields: ['username'],
    });
    await service.start();
    return { service };
  },
  capabilities: { idType: 'string', uniqueFields: ['username'], events: true },
});
