import type { Params } from './entity-service.ts';
import { configError } from './options-check.ts';

/** Feathers' `paginate` setting of a service: the page size when `$limit` is absent, and its ceiling. */
export interface PaginateOptions {
  /** Records per page when the query has no `$limit`. */
  default?: number;
  /** The largest `$limit` honoured; a larger one is lowered to it. */
  max?: number;
}

/** A page of `find` results, in Feathers' shape. */
export interface Page<T> {
  /** How many records match the query (before `$skip` and `$limit`). */
  total: number;
  /** The `$limit` applied. */
  limit: number;
  /** The `$skip` applied. */
  skip: number;
  /** The records of this page. */
  data: T[];
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/**
 * Checks a `paginate` option at construction.
 * @param paginate - The option (`undefined` or `false` for none).
 * @param label - The factory name for the message.
 * @returns The option, or `undefined` when pagination is off.
 * @throws BadRequest `invalid-configuration` unless it is an object of positive integers with `default <= max`.
 */
export function checkPaginate(paginate: unknown, label: string): PaginateOptions | undefined {
  if (paginate === undefined || paginate === false) return undefined;
  const { default: size, max, ...rest } = (paginate ?? {}) as Record<string, unknown>;
  const valid =
    typeof paginate === 'object' &&
    paginate !== null &&
    Object.keys(rest).length === 0 &&
    (size === undefined || isPositiveInteger(size)) &&
    (max === undefined || isPositiveInteger(max)) &&
    (size === undefined || max === undefined || size <= max);
  if (!valid) {
    throw configError(
      `${label}: \`paginate\` must be { default?, max? } of positive integers with default <= max`,
    );
  }
  return paginate as PaginateOptions;
}

/**
 * Feathers' paging rules for one `find` call: `params.paginate === false` turns pagination off, an object
 * there replaces the service's; then the limit is `$limit ?? default`, lowered to `max`.
 *
 * @param paginate - The service's `paginate` option.
 * @param params - The call parameters.
 * @param limit - The parsed `$limit`.
 * @returns Whether to answer with a page, and the limit to apply.
 */
export function resolvePaging(
  paginate: PaginateOptions | undefined,
  params: Params | undefined,
  limit: number | undefined,
): { paginated: boolean; limit: number | undefined } {
  const chosen = params?.paginate;
  const active =
    chosen === false
      ? undefined
      : typeof chosen === 'object' && chosen !== null
        ? (chosen as PaginateOptions)
        : paginate;
  if (active === undefined) return { paginated: false, limit };
  const wanted = limit ?? active.default;
  const capped = active.max === undefined ? wanted : Math.min(wanted ?? active.max, active.max);
  return { paginated: true, limit: capped };
}
