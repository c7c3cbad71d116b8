import { entityServiceConformance } from '@org/adapter-tests';
import { memoryAdapter } from './memory-adapter.ts';

entityServiceConformance('memory (number ids)', {
  setup: () => ({ service: memoryAdapter({ uniqueFields: ['email', 'username'] }) }),
  setupPaginated: (paginate) => ({ service: memoryAdapter({ uniqueFields: ['email'], paginate }) }),
  setupStartId: (startId) => ({ service: memoryAdapter({ startId }) }),
  capabilities: { idType: 'number', uniqueFields: ['email', 'username'], events: true },
});

entityServiceConformance('memory (string ids, _id field)', {
  setup: () => ({ service: memoryAdapter({ id: '_id', idType: 'string', uniqueFields: ['username'] }) }),
  capabilities: { idType: 'string', uniqueFields: ['username'], events: true },
});
