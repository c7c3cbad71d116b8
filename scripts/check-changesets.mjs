// The release check: what the pending changesets would release, and no change left without one.
//
// 1. A dry run of `changeset version` in a temporary copy of the workspace's manifests and changesets
//    (the repository is untouched) prints every planned bump. It fails when a package would cross to a
//    new major that no changeset asked for (a core minor must not drag its peers to 1.0.0).
// 2. Every published package changed since its last release must be named in a pending changeset.
//    "Its last release" is the git tag `changeset publish` creates, `<name>@<version>` for the version
//    in its package.json; a package without that tag has never been released, so any content counts as
//    a change. Changes to tests alone (`*.test.ts`, `test-*.ts`, `test/`) do not need a changeset.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishedPackages, ROOT } from './lib/workspace.mjs';

const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();

/** The pending changesets: file name -> { package name -> bump }. */
export function pendingChangesets(folder = join(ROOT, '.changeset')) {
  const changesets = new Map();
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.md') && name !== 'README.md')) {
    const text = readFileSync(join(folder, file), 'utf8');
    const front = /^---\n([\s\S]*?)\n---/.exec(text);
    if (!front) throw new Error(`.changeset/${file}: no front matter`);
    const bumps = {};
    for (const line of front[1].split('\n').filter((entry) => entry.trim() !== '')) {
      const match = /^\s*['"]?([^'":]+)['"]?\s*:\s*(major|minor|patch)\s*$/.exec(line);
      if (!match) throw new Error(`.changeset/${file}: cannot read "${line}"`);
      bumps[match[1]] = match[2];
    }
    changesets.set(file, bumps);
  }
  return changesets;
}

const isTestFile = (path) => /(^|\/)test\/|\.test\.ts$|(^|\/)test-[^/]*\.ts$/.test(path);

/** Files of the package that ship or describe it and changed since its release (all when never released). */
function changedSinceRelease({ dir, name, manifest }) {
  const tag = `${name}@${manifest.version}`;
  const released = git('tag', '--list', tag) === tag;
  const files = released
    ? git('diff', '--name-only', `${tag}..HEAD`, '--', `packages/${dir}`)
    : git('ls-files', '--', `packages/${dir}`);
  return { released, tag, files: files.split('\n').filter((path) => path !== '' && !isTestFile(path)) };
}

function dryRunVersion() {
  const copy = mkdtempSync(join(tmpdir(), 'org-changeset-version-'));
  try {
    for (const file of ['package.json', 'package-lock.json', '.changeset']) {
      cpSync(join(ROOT, file), join(copy, file), { recursive: true });
    }
    for (const folder of ['packages', 'apps']) {
      if (!existsSync(join(ROOT, folder))) continue;
      for (const dir of readdirSync(join(ROOT, folder))) {
        for (const file of ['package.json', 'CHANGELOG.md']) {
          const from = join(ROOT, folder, dir, file);
          if (existsSync(from)) cpSync(from, join(copy, folder, dir, file));
        }
      }
    }
    execFileSync(join(ROOT, 'node_modules/.bin/changeset'), ['version'], { cwd: copy, stdio: 'pipe' });
    return publishedPackages().map(({ dir, name, manifest }) => ({
      name,
      from: manifest.version,
      to: JSON.parse(readFileSync(join(copy, 'packages', dir, 'package.json'), 'utf8')).version,
    }));
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

const problems = [];
const changesets = pendingChangesets();
const named = new Map(); // package -> strongest bump asked for
for (const bumps of changesets.values())
  for (const [name, bump] of Object.entries(bumps))
    if (!named.has(name) || bump === 'major' || (bump === 'minor' && named.get(name) === 'patch'))
      named.set(name, bump);

const published = new Set(publishedPackages().map(({ name }) => name));
for (const [file, bumps] of changesets)
  for (const name of Object.keys(bumps))
    if (!published.has(name))
      problems.push(`.changeset/${file} names ${name}, which is not a published package`);

console.log(`${changesets.size} pending changesets; \`changeset version\` would release:`);
for (const { name, from, to } of dryRunVersion()) {
  console.log(`  ${name.padEnd(28)} ${from} -> ${to}${from === to ? ' (unchanged)' : ''}`);
  if (Number(to.split('.')[0]) > Number(from.split('.')[0]) && named.get(name) !== 'major')
    problems.push(
      `${name} would go to ${to}, a new major no changeset asked for (a dependency's bump dragged it)`,
    );
}

for (const pkg of publishedPackages()) {
  const { released, tag, files } = changedSinceRelease(pkg);
  if (files.length > 0 && !named.has(pkg.name))
    problems.push(
      `${pkg.name} changed ${released ? `since ${tag}` : '(never released)'} with no pending changeset: ` +
        `${files.slice(0, 3).join(', ')}${files.length > 3 ? ', ...' : ''}. Add one: npx changeset`,
    );
}

if (problems.length > 0) {
  console.error(problems.map((problem) => `FAIL ${problem}`).join('\n'));
  process.exitCode = 1;
} else console.log('ok   every changed package has a pending changeset');
