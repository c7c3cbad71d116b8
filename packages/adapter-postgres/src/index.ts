export { postgresAdapter } from './postgres-adapter.ts';
export { PostgresService, type PostgresAdapterOptions } from './postgres-service.ts';
