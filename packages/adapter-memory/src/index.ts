export { memoryAdapter } from './memory-adapter.ts';
export { MemoryService, type MemoryAdapterOptions } from './memory-service.ts';
