import type { Id, Params } from './entity-service.ts';
import { BadRequest, Conflict, GeneralError } from './errors.ts';

/**
 * Normalises an id for a store whose ids are of `idType`: a JWT `sub` is always a string, so `"42"`
 * reaches a numeric store as `42` and `42` a string store as `"42"`.
 *
 * @param id - The id a caller passed (often `payload.sub`).
 * @param idType - The type of the store's ids.
 * @returns The id in the store's type, or `undefined` when no record can have it (a store answers
 *   `NotFound` for those).
 */
export function normaliseId(id: unknown, idType: 'string' | 'number'): Id | undefined {
  if (idType === 'string') {
    return typeof id === 'string'
      ? id
      : typeof id === 'number' && Number.isFinite(id)
        ? String(id)
        : undefined;
  }
  const n = typeof id === 'string' && /^-?(0|[1-9][0-9]{0,15})$/.test(id) ? Number(id) : id;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The id a `create` caller chose, refused when the call is external: where the store generates ids, a
 * client never picks one (a client-chosen `2^53 - 1` would exhaust generated ids for everyone after it).
 *
 * @param record - The data being created (already copied).
 * @param idField - The store's id field.
 * @param params - The call parameters; `provider` marks an external call.
 * @returns The chosen id (`undefined` or `null` when none).
 * @throws BadRequest (`bad-request`) when an external call carries an id.
 */
export function assertIdNotChosenExternally(
  record: Record<string, unknown>,
  idField: string,
  params: Params | undefined,
): unknown {
  const given = record[idField];
  if (params?.provider && given !== undefined && given !== null) {
    throw new BadRequest(`'${idField}' is assigned by the store and cannot be set by a client`);
  }
  return given;
}

/**
 * Checks an id the store generated: ids are numbers in JavaScript, so one beyond
 * `Number.MAX_SAFE_INTEGER` would be rounded onto another record's id. Refused instead, never wrapped.
 *
 * @param id - The generated id (as the driver returned it).
 * @returns The id.
 * @throws GeneralError (`general-error`) when it is not a safe integer: the store has no id left.
 */
export function nextGeneratedId(id: number): number {
  if (!Number.isSafeInteger(id)) {
    throw new GeneralError('Cannot assign an id: generated ids have reached Number.MAX_SAFE_INTEGER');
  }
  return id;
}

/**
 * The error a store reports to its caller: a unique-field `Conflict` names the field only for an internal
 * call; an external caller (a sign-up form) gets a generic one, so the message never says which email or
 * username is taken.
 *
 * @param error - What the store threw.
 * @param params - The call parameters; `provider` marks an external call.
 * @returns The error to throw.
 */
export function conflictForCaller(error: unknown, params: Params | undefined): unknown {
  if (!(error instanceof Conflict) || !params?.provider) return error;
  return new Conflict('A record with these values already exists', { cause: error });
}
