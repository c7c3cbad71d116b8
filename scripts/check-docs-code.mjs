// Type-checks every TypeScript block of the documentation against the packages, so the docs cannot
// drift from the code: the ```ts (or ```typescript) blocks of README.md, packages/*/README.md,
// apps/*/README.md and docs/*.md are written, one module each, into a temporary project that resolves
// `@org/*` to the workspace sources (the `@org/source` condition, no build needed) and checked with
// `tsc` under the repository's strict options. A type error fails with the Markdown file and line.
//
// A block that is deliberately partial (it uses an `auth` or `users` set up by an earlier block)
// follows an HTML comment `<!-- partial -->` (or `<!-- partial: why -->`). It is still checked, except
// for names it never declares ("Cannot find name") and relative modules (`./my-adapter.ts`); the script lists every partial block, so they stay
// visible and rare.
//
// A block that goes on from the previous TypeScript block of the same file (it uses the `auth` that
// block set up) follows `<!-- continued -->`: it is checked fully, as the previous block (itself
// continued or not) followed by this one, and only errors in its own lines are reported for it.
//
// Usage: node scripts/check-docs-code.mjs [--keep] (--keep leaves the temporary project and prints it)
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { ROOT } from './lib/workspace.mjs';

/** Diagnostics a partial block is allowed: names it takes from an earlier block. */
const PARTIAL_ALLOWED = new Set([
  2304, // Cannot find name 'x'.
  2552, // Cannot find name 'x'. Did you mean 'y'?
  7006, // Parameter 'x' implicitly has an 'any' type (a callback of an undeclared host).
  18004, // No value exists in scope for the shorthand property 'x'.
]);
const PARTIAL_MARKER = /^<!--\s*partial(?::\s*(.*?))?\s*-->$/;
const CONTINUED_MARKER = /^<!--\s*continued\s*-->$/;

/** The Markdown files whose TypeScript blocks are checked, relative to the root. */
export function documentationFiles(root = ROOT) {
  const inFolder = (folder, pick) =>
    existsSync(join(root, folder))
      ? readdirSync(join(root, folder), { withFileTypes: true }).flatMap((entry) => pick(entry))
      : [];
  return [
    'README.md',
    ...inFolder('docs', (entry) =>
      entry.isFile() && entry.name.endsWith('.md') ? [`docs/${entry.name}`] : [],
    ),
    ...['packages', 'apps'].flatMap((folder) =>
      inFolder(folder, (entry) =>
        entry.isDirectory() && existsSync(join(root, folder, entry.name, 'README.md'))
          ? [`${folder}/${entry.name}/README.md`]
          : [],
      ),
    ),
  ].sort();
}

/**
 * The TypeScript blocks of one Markdown text.
 * @returns {{ line: number, code: string, partial: boolean, continued: boolean, reason: string | undefined }[]}
 *   `line` is the 1-based line of the block's first code line.
 */
export function typescriptBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\b.*$/.exec(lines[index]);
    if (!open) {
      // Skip other fences whole, so a ```ts inside a ```md example is not taken for a block.
      const other = /^(\s*)(`{3,}|~{3,})/.exec(lines[index]);
      if (other) {
        const fence = other[2];
        index++;
        while (index < lines.length && !lines[index].trim().startsWith(fence)) index++;
      }
      continue;
    }
    const [, indent, fence] = open;
    // The HTML comments right above the fence (blank lines allowed) are the block's markers.
    const markers = [];
    for (let above = index - 1; above >= 0; above--) {
      const text = lines[above].trim();
      if (text === '') continue;
      if (!/^<!--.*-->$/.test(text)) break;
      markers.push(text);
    }
    const marker = markers.map((text) => PARTIAL_MARKER.exec(text)).find(Boolean) ?? null;
    const body = [];
    let end = index + 1;
    while (
      end < lines.length &&
      !(lines[end].trim().startsWith(fence) && lines[end].trim().replace(/[`~]/g, '') === '')
    )
      body.push(lines[end++].replace(new RegExp(`^ {0,${indent.length}}`), ''));
    blocks.push({
      line: index + 2,
      code: body.join('\n'),
      partial: marker !== null,
      continued: markers.some((text) => CONTINUED_MARKER.test(text)),
      reason: marker?.[1],
    });
    index = end;
  }
  return blocks;
}

function check({ keep }) {
  const project = mkdtempSync(join(tmpdir(), 'org-docs-code-'));
  try {
    symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
    writeFileSync(join(project, 'package.json'), '{ "type": "module", "private": true }\n');
    mkdirSync(join(project, 'blocks'));
    const origin = new Map(); // generated file -> { file, line, partial }
    const partials = [];
    let count = 0;
    for (const file of documentationFiles()) {
      let chain = ''; // the code of the blocks this one continues
      for (const block of typescriptBlocks(readFileSync(join(ROOT, file), 'utf8'))) {
        const name = join(project, 'blocks', `${file.replace(/[/.]/g, '_')}_${block.line}.ts`);
        const before = block.continued ? chain : '';
        if (block.continued && chain === '')
          throw new Error(`${file}:${block.line}: continued, but no block before it`);
        // `export {}` keeps each block a module of its own, whether or not it imports anything.
        writeFileSync(name, `${before}${block.code}\nexport {};\n`);
        chain = `${before}${block.code}\n`;
        const offset = before === '' ? 0 : before.split('\n').length - 1;
        origin.set(name, { file, line: block.line, partial: block.partial, offset });
        if (block.partial) partials.push(`${file}:${block.line}${block.reason ? ` (${block.reason})` : ''}`);
        count++;
      }
    }
    const base = ts.readConfigFile(join(ROOT, 'tsconfig.base.json'), ts.sys.readFile).config;
    const { options, errors } = ts.convertCompilerOptionsFromJson(
      { ...base.compilerOptions, noEmit: true, declaration: false, sourceMap: false, inlineSources: false },
      project,
    );
    if (errors.length > 0) throw new Error(ts.formatDiagnostics(errors, ts.createCompilerHost(options)));
    const program = ts.createProgram([...origin.keys()], options);
    const failures = [];
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const source = diagnostic.file && origin.get(diagnostic.file.fileName);
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
      if (!source) {
        // An error outside the blocks (a package's own source) is the typecheck task's to report.
        continue;
      }
      const missingOwnModule = diagnostic.code === 2307 && message.startsWith("Cannot find module '.");
      if (source.partial && (PARTIAL_ALLOWED.has(diagnostic.code) || missingOwnModule)) continue;
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      if (line < source.offset) continue; // in a block this one continues: reported for that block
      failures.push(`${source.file}:${source.line + line - source.offset}: TS${diagnostic.code} ${message}`);
    }
    console.log(`checked ${count} TypeScript blocks in the docs (${partials.length} partial)`);
    for (const partial of partials) console.log(`  partial: ${partial}`);
    if (keep) console.log(`project kept in ${relative(process.cwd(), project) || project}`);
    if (failures.length > 0) {
      console.error(failures.join('\n'));
      console.error(`${failures.length} type error(s) in documentation blocks`);
      process.exitCode = 1;
    }
  } finally {
    if (!keep) rmSync(project, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  check({ keep: process.argv.includes('--keep') });
