import type { EntityService, Id } from '@org/core';
import { getPath, setPath } from './dot-path.ts';
import { PASSWORD_UPGRADE_PARAM } from './hash-password.ts';

type Entity = Record<string, any>;

// patch merges top-level fields only, so a nested hash is written with its siblings.
function fieldData(entity: Entity, field: string, value: string): Entity {
  const [head, ...rest] = field.split('.') as [string, ...string[]];
  return { [head]: rest.length === 0 ? value : setPath(entity[head], rest.join('.'), value) };
}

/**
 * Writes a login's hash upgrade so that it reaches the store exactly once (invariant 8): the patch carries
 * {@link PASSWORD_UPGRADE_PARAM}, which `hashPassword()` (hook and `.service()`) honours. A hashing hook
 * that does not know it (Feathers' own) hashes the hash, which would lock the user out: that is detected
 * on the patch result, and the password itself is then sent through that hook once, so what it stores
 * is a hash of the password. A process warning (`ORG_PASSWORD_UPGRADE_REHASHED`) says to use ours.
 *
 * @param service - The entity service.
 * @param id - The entity's id.
 * @param entity - The entity as found.
 * @param field - The dot path of its password hash.
 * @param password - The password that just verified.
 * @param newHash - The hash to store.
 * @returns The patched entity.
 */
export async function writePasswordUpgrade(
  service: EntityService,
  id: Id,
  entity: Entity,
  field: string,
  password: string,
  newHash: string,
): Promise<Entity> {
  const patched = await service.patch(id, fieldData(entity, field, newHash), {
    [PASSWORD_UPGRADE_PARAM]: true,
  });
  const stored = getPath(patched, field);
  if (stored === undefined || stored === newHash) return patched;
  process.emitWarning(
    "The users service rewrote the local strategy's upgraded password hash (a hashing hook that does not " +
      `honour params.${PASSWORD_UPGRADE_PARAM}); the password was written again through it. Use hashPassword() from @org/strategy-local.`,
    { code: 'ORG_PASSWORD_UPGRADE_REHASHED' },
  );
  const again = await service.patch(id, fieldData(patched, field, password), {});
  if (getPath(again, field) === password) {
    // Nothing hashed it this time: never leave a password in the store.
    return service.patch(id, fieldData(again, field, newHash), { [PASSWORD_UPGRADE_PARAM]: true });
  }
  return again;
}
