export { memoryAdapter } from './memory-adapter.ts';
export { MemoryService, type FindResult, type MemoryAdapterOptions } from './memory-service.ts';
