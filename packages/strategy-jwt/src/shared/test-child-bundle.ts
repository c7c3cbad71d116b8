// Test support: bundles a TypeScript entry (and the @org/* sources it imports) into one ESM file
// that a real child process runs with plain `node` — Node 20 cannot strip types itself. Bare
// imports stay external and resolve from this package's node_modules, like an installed build.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const OUT_DIR = new URL('../../node_modules/.cache/org-test-child/', import.meta.url);

/** Bundles `entry` and returns the path of the runnable `.mjs`. */
export async function bundleChild(entry: URL, name = 'child'): Promise<string> {
  const file = fileURLToPath(new URL(`${name}-${randomUUID()}.mjs`, OUT_DIR));
  await build({
    input: fileURLToPath(entry),
    platform: 'node',
    resolve: { conditionNames: ['@org/source', 'import', 'node', 'default'] },
    external: (id) => !id.startsWith('@org/') && !id.startsWith('.') && !id.startsWith('/'),
    output: { file, format: 'esm' },
    logLevel: 'warn',
  });
  return file;
}
