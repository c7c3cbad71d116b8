import { configError } from '@org/core/internal';
import type { RevocationCheck } from '../token/revocation-check.ts';
import { createDenylist, type DenylistOptions } from './denylist.ts';
import { DENYLIST_STORE_FORMS } from './open-denylist-store.ts';

/** The forms `authentication.revocation` takes. */
export type RevocationSetting = false | RevocationCheck | DenylistOptions;

/** What `authentication.revocation` resolved to. @internal */
export interface ResolvedRevocation {
  /** The check the token service consults; `undefined` with `revocation: false`. */
  check: RevocationCheck | undefined;
  /** True when nothing was configured and the in-process default was built. */
  implicit: boolean;
}

function hasFunction(value: object, name: string): boolean {
  return typeof (value as Record<string, unknown>)[name] === 'function';
}

/**
 * Resolves `authentication.revocation` (invariant 10: every form works or fails here):
 * - absent: an in-process denylist (this process only), so logout always revokes;
 * - `false`: no revocation, explicitly;
 * - a revocation check (`{ isRevoked, revoke }`, e.g. `createDenylist(...)`): used as it is;
 * - denylist options with a `store` (a Keyv instance or a `redis://`, `postgres://`, `sqlite://` URL):
 *   a denylist built from them.
 * @throws BadRequest (`invalid-configuration`) for anything else, naming the accepted forms, and for bad
 * denylist options.
 * @internal
 */
export function resolveRevocationSetting(value: unknown): ResolvedRevocation {
  if (value === undefined) return { check: createDenylist(), implicit: true };
  if (value === false) return { check: undefined, implicit: false };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    if (hasFunction(value, 'isRevoked') && hasFunction(value, 'revoke')) {
      return { check: value as RevocationCheck, implicit: false };
    }
    if ('store' in value) return { check: createDenylist(value as DenylistOptions), implicit: false };
  }
  throw configError(
    `'authentication.revocation' must be false, a revocation check ({ isRevoked, revoke }, e.g. createDenylist()), ` +
      `or { store } with ${DENYLIST_STORE_FORMS}`,
  );
}
