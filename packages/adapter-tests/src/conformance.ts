import { describe } from 'vitest';
import { concurrencyCases } from './cases/concurrency.ts';
import { crudCases } from './cases/crud.ts';
import { errorCases } from './cases/errors.ts';
import { eventCases } from './cases/events.ts';
import { queryCases } from './cases/query.ts';
import { uniqueCases } from './cases/unique.ts';
import { createContext, type ConformanceOptions } from './context.ts';

/**
 * Registers the `EntityService` conformance suite: every adapter runs it from one test file.
 *
 * Covers CRUD, id assignment (ids round-trip as strings, as a JWT `sub` carries them), the query
 * subset (equality, `$limit`, `$skip`, `$select`, `$sort`), `NotFound` on missing ids, `BadRequest`
 * (`invalid-query`) for any non-scalar query value or unknown operator, `Conflict` on declared unique
 * fields (also under concurrent creates), events, copies, isolation and concurrent writes.
 *
 * The suite creates records shaped like `{ name, email, username, age, active, team }`; `setup` runs
 * before every test and must return a fresh, empty service (declare `uniqueFields` you configured).
 *
 * @param name - A label for the `describe` block (the adapter and its variant).
 * @param options - The per-test setup and the adapter's capabilities.
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
  describe(`${name}: EntityService conformance`, () => {
    const ctx = createContext(options);
    crudCases(ctx);
    queryCases(ctx);
    errorCases(ctx);
    uniqueCases(ctx);
    eventCases(ctx);
    concurrencyCases(ctx);
  });
}
