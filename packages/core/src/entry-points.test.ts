import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as userEntry from './index.ts';
import * as internalEntry from './internal.ts';

// The helpers sibling packages share; a user who needs one of them imports `@org/core/internal`.
const INTERNAL_HELPERS = [
  'SERVICE_METHODS',
  'SERVICE_PARAMS_POSITION',
  'assertIdNotChosenExternally',
  'assertKnownOptions',
  'checkPaginate',
  'cloneJson',
  'configError',
  'conflictForCaller',
  'didYouMean',
  'editDistance',
  'importOptional',
  'isJsonTree',
  'isPlainRead',
  'isPrototypeKey',
  'jsonCopier',
  'nextGeneratedId',
  'normaliseId',
  'parseRecordJson',
  'resolvePaging',
  'serviceCallParams',
  'toRecordData',
  'withMember',
  'withoutPrototypeKeys',
  'wrapService',
];

describe('entry points', () => {
  test('the user-facing entry exports none of the helpers meant for sibling packages', () => {
    const leaked = Object.keys(internalEntry).filter((name) => name in userEntry);
    expect(leaked).toEqual([]);
  });

  test('@org/core/internal exports exactly the sibling helpers', () => {
    expect(Object.keys(internalEntry).sort()).toEqual(INTERNAL_HELPERS);
  });

  test('the user-facing entry keeps what users call or implement against', () => {
    for (const name of [
      'AuthenticationService',
      'EntityCache',
      'PLAIN_READ',
      'parseQuery',
      'selectFields',
      'NotAuthenticated',
    ]) {
      expect(userEntry).toHaveProperty(name);
    }
  });

  test('package.json publishes ./internal with the source condition first, then types, then default', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const entry = pkg.exports['./internal'];
    expect(Object.entries(entry)).toEqual([
      ['@org/source', './src/internal.ts'],
      ['types', './dist/internal.d.ts'],
      ['default', './dist/internal.js'],
    ]);
  });
});
