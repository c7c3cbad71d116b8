import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'adapter-tests',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The suite is exercised by every adapter's conformance test file, not here.
    passWithNoTests: true,
  },
});
