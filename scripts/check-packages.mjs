// Checks every published package as it would be published, on the tarball `npm pack` makes (prepack
// included), not on the folder. Needs `npm run build` first (`npm run check:packages` does both).
//
// - publint --strict on the tarball;
// - arethetypeswrong on the tarball with its default profile (node10, node16 from CJS and from ESM,
//   bundler) and one rule ignored: `cjs-resolves-to-esm`. The packages are ESM only; CommonJS code loads
//   them with `require()` on Node >= 20.19 (require(esm), unflagged in 20.19 and 22.12), which attw 0.18
//   cannot model: it resolves as TypeScript 5.6 with `module: node16`, where requiring ESM is an error.
//   Every other problem in every mode fails. The used-by test (scripts/used-by.mjs) runs a CommonJS
//   consumer and type-checks a `.cts` one (`module: nodenext`) against the tarballs.
// - the manifest and contents: LICENSE, repository/homepage/bugs, engines, no `@org/source` condition,
//   every file the manifest points at is in the tarball, every package the shipped code or types import
//   is a dependency or peer (type packages included), vitest only a peer of the conformance entries;
// - the README: the supported module systems and Node versions, and an install line for every optional
//   peer dependency.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import ts from 'typescript';
import { packAll, publishedPackages, ROOT } from './lib/workspace.mjs';

export const ENGINES = '>=20.19';
export const REPOSITORY = 'https://github.com/org/org-auth';
const ATTW_IGNORED_RULES = ['cjs-resolves-to-esm'];
// The sentence every README carries (package READMEs and the root one).
export const SUPPORT_PATTERN = /ESM.*`require\(\)`.*Node >= 20\.19/;

const packageName = (specifier) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
const isBuiltin = (specifier) =>
  specifier.startsWith('node:') || builtinModules.includes(packageName(specifier));

/** Bare specifiers imported by a JS or .d.ts file, comments and strings ignored. */
function imports(text) {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((file) => file.fileName);
}

/** Everything one entry file reaches through relative imports, and the bare specifiers it imports. */
function reach(packageRoot, entry) {
  const seen = new Set();
  const bare = new Set();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file) || !existsSync(join(packageRoot, file))) continue;
    seen.add(file);
    for (const specifier of imports(readFileSync(join(packageRoot, file), 'utf8'))) {
      if (!specifier.startsWith('.')) bare.add(specifier);
      else {
        const target = posix.normalize(posix.join(posix.dirname(file), specifier));
        // Declarations import their siblings as `./x.ts` or `./x.js`: the file is `./x.d.ts`.
        queue.push(file.endsWith('.d.ts') ? target.replace(/\.(ts|js)$/, '.d.ts') : target);
      }
    }
  }
  return bare;
}

/** Whether a dependency ships its own types (else its `@types/` package must be a dependency too). */
function shipsTypes(name) {
  const manifestPath = join(ROOT, 'node_modules', name, 'package.json');
  if (!existsSync(manifestPath)) return false;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  return Boolean(
    manifest.types ||
    manifest.typings ||
    JSON.stringify(manifest.exports ?? {}).includes('"types"') ||
    existsSync(join(dirname(manifestPath), 'index.d.ts')),
  );
}

const exportTargets = (exports) =>
  exports === null || typeof exports !== 'object'
    ? [exports].filter((target) => typeof target === 'string')
    : Object.values(exports).flatMap(exportTargets);

function checkContents({ dir, name }, root, files) {
  const problems = [];
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const has = (file) => files.includes(posix.normalize(file));

  if (!has('LICENSE')) problems.push('LICENSE is not in the tarball');
  else if (readFileSync(join(root, 'LICENSE'), 'utf8') !== readFileSync(join(ROOT, 'LICENSE'), 'utf8'))
    problems.push('LICENSE differs from the repository LICENSE');
  if (JSON.stringify(manifest).includes('@org/source'))
    problems.push('the published package.json still has the @org/source condition (prepack did not run?)');
  if (
    manifest.repository?.url !== `git+${REPOSITORY}.git` ||
    manifest.repository?.directory !== `packages/${dir}`
  )
    problems.push(`repository must be { url: 'git+${REPOSITORY}.git', directory: 'packages/${dir}' }`);
  if (manifest.homepage !== `${REPOSITORY}/tree/main/packages/${dir}#readme`) problems.push('homepage');
  if (manifest.bugs?.url !== `${REPOSITORY}/issues`) problems.push('bugs.url');
  if (manifest.engines?.node !== ENGINES) problems.push(`engines.node must be '${ENGINES}'`);

  const pointed = [
    ...exportTargets(manifest.exports),
    manifest.main,
    manifest.types,
    ...Object.values(manifest.bin ?? {}),
    ...Object.values(manifest.typesVersions?.['*'] ?? {}).flat(),
  ].filter(Boolean);
  for (const target of pointed)
    if (!has(target)) problems.push(`${target} is in the manifest, not in the tarball`);

  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const optional = new Set(
    Object.entries(manifest.peerDependenciesMeta ?? {})
      .filter(([, meta]) => meta.optional)
      .map(([dependency]) => dependency),
  );
  for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
    if (typeof conditions !== 'object') continue;
    const used = new Set(
      [...reach(root, posix.normalize(conditions.default)), ...reach(root, posix.normalize(conditions.types))]
        .filter((specifier) => !isBuiltin(specifier))
        .map(packageName)
        .filter((dependency) => dependency !== name),
    );
    for (const dependency of used) {
      if (!declared.has(dependency))
        problems.push(`${subpath} imports ${dependency}, which is neither a dependency nor a peer`);
    }
    for (const specifier of reach(root, posix.normalize(conditions.types))) {
      const dependency = packageName(specifier);
      // The main entry's types must stand without the optional packages (skipLibCheck off included).
      if (subpath === '.' && optional.has(dependency))
        problems.push(`the main entry's types import the optional ${dependency}: spell out the types used`);
      if (isBuiltin(specifier) || dependency === name || shipsTypes(dependency)) continue;
      const typesPackage = `@types/${dependency.replace(/^@/, '').replace('/', '__')}`;
      if (!declared.has(typesPackage))
        problems.push(`${subpath}'s types import ${dependency}: ${typesPackage} must be a dependency`);
    }
  }
  // vitest is a peer only the conformance entries need: optional unless the main entry imports it.
  const main = manifest.exports?.['.']?.default;
  const mainImportsVitest = main !== undefined && reach(root, posix.normalize(main)).has('vitest');
  if (declared.has('vitest') && optional.has('vitest') === mainImportsVitest)
    problems.push(
      mainImportsVitest
        ? 'the main entry imports vitest, so vitest cannot be an optional peer'
        : 'vitest must be an optional peer (only a conformance entry imports it)',
    );

  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  if (!SUPPORT_PATTERN.test(readme))
    problems.push('the README does not say which module systems and Node versions are supported');
  for (const dependency of optional) {
    const installLine = readme
      .split('\n')
      .some((line) => line.includes('npm install') && line.includes(dependency));
    if (!installLine) problems.push(`the README has no \`npm install\` line for the optional ${dependency}`);
  }
  return problems;
}

function run(tool, args) {
  try {
    execFileSync('npx', ['--no-install', tool, ...args], { cwd: ROOT, stdio: 'pipe' });
    return [];
  } catch (error) {
    return [`${tool}:\n${error.stdout ?? ''}${error.stderr ?? ''}`];
  }
}

const work = mkdtempSync(join(tmpdir(), 'org-check-packages-'));
let failed = 0;
try {
  const tarballs = packAll(work);
  for (const pkg of publishedPackages()) {
    const packed = tarballs.get(pkg.name);
    const root = join(work, pkg.dir);
    mkdirSync(root);
    execFileSync('tar', ['-xzf', packed.tarball, '-C', root, '--strip-components=1']);
    const problems = [
      ...checkContents(pkg, root, packed.files),
      ...run('publint', ['run', '--strict', packed.tarball]),
      ...run('attw', [packed.tarball, '--format', 'ascii', '--ignore-rules', ...ATTW_IGNORED_RULES]),
    ];
    if (problems.length === 0) console.log(`ok   ${pkg.name} (publint, attw, contents, README)`);
    else {
      failed++;
      console.error(`FAIL ${pkg.name}\n  ${problems.join('\n  ')}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failed) process.exit(1);
