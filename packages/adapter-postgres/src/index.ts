export { postgresAdapter } from './postgres-adapter.ts';
export { PostgresService, type FindResult, type PostgresAdapterOptions } from './postgres-service.ts';
