// npm runs this as each package's `prepack` and `postpack` (so for `npm pack` and `npm publish` alike).
//
// prepack: the package.json that ships has no `@org/source` export condition. That condition points at
// `src/*.ts` for the workspace's tests, typecheck and docs, and `src` is not published: a consumer whose
// tool happened to use the condition would resolve to files that are not there. The original is kept
// beside it (`package.json.prepack`, git-ignored) and put back by postpack.
// postpack: restores the original package.json.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const SOURCE_CONDITION = '@org/source';
const BACKUP = 'package.json.prepack';

/**
 * The manifest as published: every `@org/source` condition removed from `exports`.
 * @param {Record<string, unknown>} manifest
 */
export function publishedManifest(manifest) {
  const strip = (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== SOURCE_CONDITION)
        .map(([key, inner]) => [key, strip(inner)]),
    );
  };
  return manifest.exports === undefined ? manifest : { ...manifest, exports: strip(manifest.exports) };
}

function prepack() {
  // A backup left by an interrupted pack is the real original: never overwrite it with a stripped copy.
  if (existsSync(BACKUP)) renameSync(BACKUP, 'package.json');
  const text = readFileSync('package.json', 'utf8');
  writeFileSync(BACKUP, text);
  writeFileSync('package.json', `${JSON.stringify(publishedManifest(JSON.parse(text)), null, 2)}\n`);
}

function postpack() {
  if (existsSync(BACKUP)) renameSync(BACKUP, 'package.json');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const step = { prepack, postpack }[process.argv[2]];
  if (!step) {
    console.error('usage: node scripts/pack-manifest.mjs prepack|postpack (run from a package folder)');
    process.exit(2);
  }
  step();
}
