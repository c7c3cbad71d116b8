import { assertKnownOptions, configError } from '@org/core/internal';
import { describe } from 'vitest';
import { concurrencyCases } from './cases/concurrency.ts';
import { crudCases } from './cases/crud.ts';
import { errorCases } from './cases/errors.ts';
import { eventCases } from './cases/events.ts';
import { idCases } from './cases/ids.ts';
import { paginationCases } from './cases/pagination.ts';
import { prototypeCases } from './cases/prototype.ts';
import { queryCases } from './cases/query.ts';
import { startIdCases } from './cases/start-id.ts';
import { uniqueCases } from './cases/unique.ts';
import { createContext, type ConformanceOptions } from './context.ts';

const OPTIONS = ['setup', 'setupPaginated', 'setupStartId', 'capabilities'] as const;
const CAPABILITIES = ['idType', 'uniqueFields', 'events'] as const;
const UNIQUE_FIELDS: readonly unknown[] = ['email', 'username'];

/** A misspelt capability would silently skip its cases (a suite that passes by testing less): refuse it. */
function checkOptions(options: ConformanceOptions): void {
  const label = 'entityServiceConformance';
  if (options === null || typeof options !== 'object')
    throw configError(`${label}: options must be an object`);
  assertKnownOptions(options, OPTIONS, label);
  if (options.setupPaginated !== undefined && typeof options.setupPaginated !== 'function') {
    throw configError(
      `${label}: \`setupPaginated\` must be a function of { default, max } returning { service }`,
    );
  }
  if (options.setupStartId !== undefined && typeof options.setupStartId !== 'function') {
    throw configError(`${label}: \`setupStartId\` must be a function of startId returning { service }`);
  }
  if (typeof options.setup !== 'function') {
    throw configError(`${label}: \`setup\` must be a function returning { service }`);
  }
  const capabilities = options.capabilities ?? {};
  if (typeof capabilities !== 'object') {
    throw configError(`${label}: \`capabilities\` must be an object`);
  }
  assertKnownOptions(capabilities, CAPABILITIES, `${label} capabilities`);
  const { idType, uniqueFields, events } = capabilities;
  if (idType !== undefined && idType !== 'number' && idType !== 'string') {
    throw configError(`${label}: \`capabilities.idType\` must be "number" or "string"`);
  }
  if (
    uniqueFields !== undefined &&
    !(Array.isArray(uniqueFields) && uniqueFields.every((f) => UNIQUE_FIELDS.includes(f)))
  ) {
    throw configError(`${label}: \`capabilities.uniqueFields\` may only list "email" and "username"`);
  }
  if (events !== undefined && typeof events !== 'boolean') {
    throw configError(`${label}: \`capabilities.events\` must be a boolean`);
  }
}

/**
 * Registers the `EntityService` conformance suite: every adapter runs it from one test file.
 *
 * Covers CRUD, id assignment (ids round-trip as strings, as a JWT `sub` carries them), the query
 * subset (equality, `$limit`, `$skip`, `$select`, `$sort`), `NotFound` on missing ids, `BadRequest`
 * (`invalid-query`) for any non-scalar query value or unknown operator, `Conflict` on declared unique
 * fields (also under concurrent creates), events, copies, isolation, concurrent writes, and ids (no client-chosen id on an external
 * call, none outside the safe integer range, generation refused rather than rounded), and bodies that
 * try to supply a prototype (`__proto__`, `constructor`, `prototype` at any depth, dropped on every write);
 * with `setupPaginated`, Feathers' pagination (pages, `$limit` default and cap, `params.paginate`); with
 * `setupStartId`, Feathers' `startId` (the first generated id, a floor that a caller-chosen id below it does
 * not lower, `2^53 - 1`).
 *
 * The suite creates records shaped like `{ name, email, username, age, active, team }`; `setup` runs
 * before every test and must return a fresh, empty service (declare `uniqueFields` you configured).
 *
 * @param name - A label for the `describe` block (the adapter and its variant).
 * @param options - The per-test setup and the adapter's capabilities.
 * @throws BadRequest (`invalid-configuration`) for an unknown option or capability (with a did-you-mean
 *   hint) or an invalid value, before any test is registered.
 * @example
 * ```ts
 * import { entityServiceConformance } from '@org/adapter-tests';
 * import { memoryAdapter } from '@org/adapter-memory';
 *
 * entityServiceConformance('memory', {
 *   setup: () => ({ service: memoryAdapter({ uniqueFields: ['email', 'username'] }) }),
 *   capabilities: { idType: 'number', uniqueFields: ['email', 'username'], events: true },
 * });
 * ```
 */
export function entityServiceConformance(name: string, options: ConformanceOptions): void {
  checkOptions(options);
  describe(`${name}: EntityService conformance`, () => {
    const ctx = createContext(options);
    crudCases(ctx);
    queryCases(ctx);
    errorCases(ctx);
    uniqueCases(ctx);
    eventCases(ctx);
    concurrencyCases(ctx);
    prototypeCases(ctx);
    idCases(ctx);
    paginationCases(options.setupPaginated);
    startIdCases(options.setupStartId);
  });
}
