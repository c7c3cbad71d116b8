// Generates docs/configuration.md, the configuration reference, from the code so it cannot drift:
// - the `authentication` section from core's TypeBox schema (AuthenticationConfigurationSchema, read
//   from the built package), with each key's type and description;
// - every exported `<Thing>Options`, `<Thing>Configuration` and `<Thing>Settings` interface of every
//   published entry point, from the TypeScript sources: each option, its type, its default
//   (`@defaultValue`) and its effect (the TSDoc summary).
//
// `node scripts/configuration-reference.mjs` writes the file; `--check` (in `npm test`) fails when the
// committed file differs from what it would write. Needs `npm run build` (for the schema).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { publishedPackages, ROOT } from './lib/workspace.mjs';

const OUTPUT = 'docs/configuration.md';
const OPTION_TYPES = /(Options|Configuration|Settings)$/;

const cell = (text) =>
  String(text ?? '')
    .replace(
      /\{@link\s+([^}|\s]+)\s*(?:\|\s*([^}]+))?\}/g,
      (_, target, label) => label?.trim() ?? `\`${target}\``,
    )
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
const code = (text) => (text ? `\`${cell(text).replace(/`/g, "'")}\`` : '');

/** A JSON Schema node as a short type. */
function schemaType(node) {
  if (!node || typeof node !== 'object') return 'unknown';
  if (node.anyOf) return node.anyOf.map(schemaType).join(' | ');
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.type === 'array') return `${schemaType(node.items)}[]`;
  if (node.type === 'object')
    return node.properties && Object.keys(node.properties).length ? 'object (below)' : 'object';
  return node.type ?? 'unknown';
}

function schemaRows(schema, prefix) {
  const rows = [];
  for (const [key, node] of Object.entries(schema.properties ?? {})) {
    const name = `${prefix}${key}`;
    rows.push(
      `| ${code(name)} | ${code(schemaType(node))} | ${cell(node.description ?? node.expected ?? '')} |`,
    );
    if (node.type === 'object' && node.properties) rows.push(...schemaRows(node, `${name}.`));
    // A union with an object member (`verifiedTokenCache: boolean | { max, maxBytes }`): its keys too.
    for (const member of node.anyOf ?? []) {
      if (member.type === 'object' && member.properties) rows.push(...schemaRows(member, `${name}.`));
    }
  }
  return rows;
}

async function authenticationSection() {
  const url = pathToFileURL(join(ROOT, 'packages/core/dist/index.js')).href;
  const { AuthenticationConfigurationSchema } = await import(url);
  return [
    '## `authentication` (`@org/core`)',
    '',
    "The configuration of `new AuthenticationService(configuration)`, in Feathers' shape, from",
    '`AuthenticationConfigurationSchema`. `setup()` rejects an unknown key with a did-you-mean hint (the',
    "sections named after registered strategies are the strategies' to check). Durations are seconds or",
    "strings such as `'1d'`.",
    '',
    '| key | type | effect |',
    '| --- | --- | --- |',
    ...schemaRows(AuthenticationConfigurationSchema, ''),
    '',
  ];
}

function interfaceSections() {
  const options = ts.convertCompilerOptionsFromJson(
    {
      ...ts.readConfigFile(join(ROOT, 'tsconfig.base.json'), ts.sys.readFile).config.compilerOptions,
      noEmit: true,
    },
    ROOT,
  ).options;
  const packages = publishedPackages().map((pkg) => ({
    ...pkg,
    entries: Object.entries(pkg.manifest.exports)
      .filter(([, target]) => typeof target === 'object' && target['@org/source'])
      .map(([subpath, target]) => ({
        importPath: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
        file: join(pkg.path, target['@org/source']),
      }))
      .filter(({ importPath }) => !importPath.endsWith('/internal')),
  }));
  const program = ts.createProgram(
    packages.flatMap(({ entries }) => entries.map(({ file }) => file)),
    options,
  );
  const checker = program.getTypeChecker();
  const lines = [];
  const seen = new Set();
  for (const { entries } of packages) {
    for (const { importPath, file } of entries) {
      const module = checker.getSymbolAtLocation(program.getSourceFile(file));
      if (!module) continue;
      const interfaces = checker
        .getExportsOfModule(module)
        .filter((symbol) => OPTION_TYPES.test(symbol.name))
        .map((symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol))
        .filter((symbol) => symbol.flags & ts.SymbolFlags.Interface && !seen.has(symbol))
        .sort((a, b) => a.name.localeCompare(b.name));
      if (interfaces.length === 0) continue;
      lines.push(`## \`${importPath}\``, '');
      for (const symbol of interfaces) {
        seen.add(symbol);
        const summary = ts.displayPartsToString(symbol.getDocumentationComment(checker));
        lines.push(
          `### ${symbol.name}`,
          '',
          cell(summary),
          '',
          '| option | type | default | effect |',
          '| --- | --- | --- | --- |',
        );
        const type = checker.getDeclaredTypeOfSymbol(symbol);
        for (const property of checker.getPropertiesOfType(type)) {
          const declaration = property.valueDeclaration ?? property.declarations?.[0];
          const propertyType = declaration
            ? checker.typeToString(
                checker.getTypeOfSymbolAtLocation(property, declaration),
                undefined,
                ts.TypeFormatFlags.NoTruncation,
              )
            : '';
          const optional = property.flags & ts.SymbolFlags.Optional ? '?' : '';
          const defaultTag = property.getJsDocTags(checker).find((tag) => tag.name === 'defaultValue');
          const defaultValue = defaultTag ? ts.displayPartsToString(defaultTag.text) : '';
          const effect = ts.displayPartsToString(property.getDocumentationComment(checker));
          // `| undefined` on an optional option says nothing the `?` does not.
          const bareType = optional ? propertyType.replace(/ \| undefined$/, '') : propertyType;
          const shortType = bareType.length > 80 ? `${bareType.slice(0, 77)}...` : bareType;
          lines.push(
            `| ${code(property.name + optional)} | ${code(shortType)} | ${cell(defaultValue)} | ${cell(effect)} |`,
          );
        }
        lines.push('');
      }
    }
  }
  return lines;
}

export async function configurationReference() {
  return [
    '---',
    'title: Configuration reference',
    '---',
    '',
    '# Configuration reference',
    '',
    '<!-- Generated by scripts/configuration-reference.mjs from the TypeBox schema and the TSDoc of the',
    '     options interfaces: do not edit by hand; `npm test` fails when this file is out of date. -->',
    '',
    'Every option of every package, its type, its default and its effect, generated from the code. Unknown',
    'options fail at construction (or at `setup()`) with a did-you-mean hint. The guides explain how the',
    'options work together: start with [getting started](./getting-started.md).',
    '',
    ...(await authenticationSection()),
    ...interfaceSections(),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const text = await configurationReference();
  if (process.argv.includes('--check')) {
    if (readFileSync(join(ROOT, OUTPUT), 'utf8') !== text) {
      console.error(`${OUTPUT} is out of date: run node scripts/configuration-reference.mjs and commit it`);
      process.exitCode = 1;
    } else console.log(`ok   ${OUTPUT} matches the schemas and options interfaces`);
  } else {
    writeFileSync(join(ROOT, OUTPUT), text);
    console.log(`wrote ${OUTPUT}`);
  }
}
