import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceConditions,
  test: { name: 'http', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
});
