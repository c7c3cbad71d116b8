/**
 * Internal: helpers the `@org/*` packages share with each other (option checks with did-you-mean hints,
 * the JSON copy, prototype-key stripping and id normalisation every entity store applies, the
 * service-method wrapper, loading an optional peer dependency).
 *
 * This entry is for the sibling packages of this repository. It has no semver promise: any release may
 * change or remove what it exports. Applications import from `@org/core`; an adapter written outside
 * this repository may use these helpers, pinned to an exact `@org/core` version.
 *
 * @packageDocumentation
 * @module @org/core/internal
 */
export { editDistance, didYouMean } from './did-you-mean.ts';
export { assertKnownOptions, configError } from './options-check.ts';
export { isPrototypeKey, parseRecordJson, toRecordData, withoutPrototypeKeys } from './record-data.ts';
export { cloneJson, isJsonTree, jsonCopier } from './json-clone.ts';
export { isPlainRead } from './plain-read.ts';
export { withMember } from './with-member.ts';
export { importOptional } from './optional-import.ts';
export { assertIdNotChosenExternally, conflictForCaller, nextGeneratedId, normaliseId } from './entity-id.ts';
export { SERVICE_METHODS, SERVICE_PARAMS_POSITION, serviceCallParams, wrapService } from './wrap-service.ts';
export { checkPaginate, resolvePaging } from './paginate.ts';
