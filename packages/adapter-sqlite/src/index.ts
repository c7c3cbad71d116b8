export { sqliteAdapter } from './sqlite-adapter.ts';
export { SqliteService, type SqliteAdapterOptions } from './sqlite-service.ts';
