// Fails (exit 1) when the modules of any workspace package's `src` import each other in a circle.
// A cycle makes the load order decide which binding is still undefined, and it hides which file is the
// lower layer; type-only imports count too, since they tie the files together just the same for a reader.
// The import scan is TypeScript's own (`preProcessFile`), so comments and strings are never mistaken for
// imports. Usage: `node scripts/check-import-cycles.mjs [root...]` (defaults to packages/*/src, apps/*/src).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SOURCE = /\.(?:m|c)?tsx?$/;

function listSources(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => resolve(entry.parentPath, entry.name));
}

// Relative specifiers only: a package's own modules. `.js` stands for the `.ts` beside it (NodeNext style).
function resolveSpecifier(from, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [base, base.replace(/\.(m|c)?js$/, '.$1ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((file) => existsSync(file) && statSync(file).isFile());
}

function importGraph(root) {
  const graph = new Map();
  for (const file of listSources(root)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles.map(({ fileName }) => resolveSpecifier(file, fileName)).filter(Boolean);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

// Tarjan's strongly connected components; every component of more than one file (or a file importing
// itself) is a cycle.
function cycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  let next = 0;
  const visit = (node) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node), low.get(target)));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node), index.get(target)));
    }
    if (low.get(node) !== index.get(node)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.includes(node)) found.push(component);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

// One concrete loop through a component, for the message: follow edges inside it until a file repeats.
function loopThrough(graph, component) {
  const members = new Set(component);
  const path = [component[0]];
  for (;;) {
    const nextFile = graph.get(path.at(-1)).find((target) => members.has(target));
    const seen = path.indexOf(nextFile);
    if (seen !== -1) return [...path.slice(seen), nextFile];
    path.push(nextFile);
  }
}

const roots = process.argv.slice(2);
if (roots.length === 0) {
  for (const group of ['packages', 'apps']) {
    if (!existsSync(group)) continue;
    for (const name of readdirSync(group)) {
      if (existsSync(join(group, name, 'src'))) roots.push(join(group, name, 'src'));
    }
  }
}
let failed = 0;
for (const root of roots) {
  const graph = importGraph(root);
  for (const component of cycles(graph)) {
    failed++;
    const loop = loopThrough(graph, component).map((file) => relative(process.cwd(), file));
    console.error(`Import cycle in ${root} (${component.length} files): ${loop.join(' -> ')}`);
  }
}
if (failed) {
  console.error(`${failed} import cycle(s): move the shared part into a file both sides import.`);
  process.exit(1);
}
console.log(`No import cycle in ${roots.length} source folder(s).`);
