import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'demo',
    include: ['test/**/*.test.ts'],
    // Child processes, a browser and real servers: generous per-test limits, never a speed target.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
