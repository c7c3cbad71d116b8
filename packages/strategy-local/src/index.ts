export {
  DEFAULT_SCRYPT_PARAMETERS,
  PasswordHasher,
  type BcryptMode,
  type PasswordHasherOptions,
  type ScryptOptions,
} from './password-hasher.ts';
export type { ScryptParameters } from './scrypt-hash.ts';
export {
  PASSWORD_UPGRADE_PARAM,
  hashPassword,
  type HashPassword,
  type HashPasswordContext,
  type HashPasswordHasher,
  type HashPasswordOptions,
} from './hash-password.ts';
export { protect, type Protect, type ProtectContext } from './protect.ts';
export {
  LocalStrategy,
  type LocalStrategyConfiguration,
  type LocalStrategyOptions,
} from './local-strategy.ts';
