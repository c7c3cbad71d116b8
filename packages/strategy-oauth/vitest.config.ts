import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceConditions,
  test: { name: 'strategy-oauth', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
});
