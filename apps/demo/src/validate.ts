// Request bodies and queries are checked here, before any store sees them: a wrong shape is a 400 with
// a message saying which field, never a 500 and never a query operator smuggled into a store.
import { BadRequest, NotFound } from '@org/core';

type Body = Record<string, unknown>;

/** What a field must be: a check returning the cleaned value or a message. */
type FieldRule = (value: unknown) => { value: string } | { error: string };

// Deliberately loose (RFC 5321 lengths, one @, no spaces): the only real check of an address is a mail.
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;

const RULES = {
  email: (value) =>
    typeof value === 'string' && value.trim().length <= 254 && EMAIL.test(value.trim())
      ? { value: value.trim().toLowerCase() }
      : { error: 'email must be an email address' },
  password: (value) =>
    typeof value === 'string' && value.length >= 8 && value.length <= 1024
      ? { value }
      : { error: 'password must be a string of 8 to 1024 characters' },
  text: (value) =>
    typeof value === 'string' && value.trim().length >= 1 && value.trim().length <= 500
      ? { value: value.trim() }
      : { error: 'text must be a string of 1 to 500 characters' },
} satisfies Record<string, FieldRule>;

type Field = keyof typeof RULES;

function invalid(message: string): BadRequest {
  return new BadRequest(message, { reason: 'invalid-body' });
}

/**
 * Checks a JSON body against exactly the named fields: each present and valid, nothing else.
 *
 * @param body - The parsed body (Fastify's JSON parser already refused `__proto__` and `constructor`).
 * @param fields - The required fields.
 * @returns The cleaned values.
 * @throws BadRequest `invalid-body` naming the first wrong, missing or unknown field.
 */
export function checkBody<F extends Field>(body: unknown, fields: readonly F[]): Record<F, string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('The body must be a JSON object');
  }
  const unknown = Object.keys(body).find((key) => !(fields as readonly string[]).includes(key));
  if (unknown !== undefined)
    throw invalid(`Unknown field '${unknown.slice(0, 40)}'; expected ${fields.join(', ')}`);
  const out = {} as Record<F, string>;
  for (const field of fields) {
    const result: { value?: string; error?: string } = RULES[field]((body as Body)[field]);
    if (result.value === undefined) throw invalid(result.error ?? `${field} is invalid`);
    out[field] = result.value;
  }
  return out;
}

/**
 * Checks a record id from a URL: a positive integer (the stores' generated ids).
 *
 * @param raw - The path parameter.
 * @returns The id as a string, as the stores take it.
 * @throws NotFound for anything else: no record can have that id.
 */
export function checkId(raw: unknown): string {
  if (typeof raw !== 'string' || !/^[1-9]\d{0,15}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new NotFound('No record found for that id');
  }
  return raw;
}

/** Query parameters of `GET /messages`. */
export interface PageQuery {
  /** How many messages, newest first. */
  $limit: number;
  /** How many of the newest to skip. */
  $skip: number;
}

const PAGE_DEFAULTS: PageQuery = { $limit: 50, $skip: 0 };
const PAGE_MAX: PageQuery = { $limit: 100, $skip: 1_000_000 };

/**
 * Checks the query of a list request: only `$limit` (1-100, default 50) and `$skip` (default 0).
 *
 * @param query - The parsed query string.
 * @returns The page to read.
 * @throws BadRequest `invalid-query` for another parameter or a value out of range.
 */
export function checkPageQuery(query: unknown): PageQuery {
  const page = { ...PAGE_DEFAULTS };
  for (const [key, raw] of Object.entries((query ?? {}) as Body)) {
    if (key !== '$limit' && key !== '$skip') {
      throw new BadRequest(`Unknown query parameter '${key.slice(0, 40)}'; expected $limit, $skip`, {
        reason: 'invalid-query',
      });
    }
    const value = typeof raw === 'string' && /^\d{1,7}$/.test(raw) ? Number(raw) : NaN;
    const min = key === '$limit' ? 1 : 0;
    if (!(value >= min && value <= PAGE_MAX[key])) {
      throw new BadRequest(`${key} must be a whole number from ${min} to ${PAGE_MAX[key]}`, {
        reason: 'invalid-query',
      });
    }
    page[key] = value;
  }
  return page;
}
