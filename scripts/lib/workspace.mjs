// The workspace's published packages, and packing them the way `npm publish` would.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (this file is scripts/lib/workspace.mjs). */
export const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Every package under packages/ that is not private, with its manifest as committed.
 * @returns {{ dir: string, path: string, name: string, manifest: Record<string, any> }[]}
 */
export function publishedPackages() {
  return readdirSync(join(ROOT, 'packages'))
    .sort()
    .map((dir) => {
      const path = join(ROOT, 'packages', dir);
      const manifest = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8'));
      return { dir, path, name: manifest.name, manifest };
    })
    .filter(({ manifest }) => !manifest.private);
}

/**
 * `npm pack` every published package into `destination` in one npm call (each package's prepack and
 * postpack run, as they do on publish). Needs the packages built.
 * @param {string} destination
 * @returns {Map<string, { tarball: string, files: string[] }>} by package name
 */
export function packAll(destination) {
  const packages = publishedPackages();
  const output = execFileSync(
    'npm',
    [
      'pack',
      '--json',
      '--pack-destination',
      destination,
      ...packages.flatMap(({ dir }) => ['-w', `packages/${dir}`]),
    ],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
  );
  return new Map(
    JSON.parse(output).map((entry) => [
      entry.name,
      { tarball: join(destination, entry.filename), files: entry.files.map((file) => file.path) },
    ]),
  );
}
