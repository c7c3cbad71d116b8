export { sqliteAdapter } from './sqlite-adapter.ts';
export { SqliteService, type FindResult, type SqliteAdapterOptions } from './sqlite-service.ts';
