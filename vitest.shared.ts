/**
 * Shared vitest settings: resolve sibling workspace packages to their TypeScript sources
 * through the `@org/source` export condition, so tests never need a build.
 */
export const sourceConditions = {
  resolve: { conditions: ['@org/source', 'import', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: ['@org/source'], externalConditions: ['@org/source'] } },
};
