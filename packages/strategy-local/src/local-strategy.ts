import {
  AuthenticationBaseStrategy,
  BadRequest,
  GeneralError,
  NotAuthenticated,
  type AuthenticationHost,
  type AuthenticationRequest,
  type AuthenticationResult,
  type EntityService,
  type Params,
  type Query,
} from '@org/core';
import { didYouMean, configError } from '@org/core/internal';
import { readCredential } from './credential.ts';
import { getPath, isDotPath, omitPath } from './dot-path.ts';
import { BCRYPT_MAX_COST, BCRYPT_MIN_COST } from './bcrypt-hash.ts';
import { PasswordHasher, type PasswordHasherOptions } from './password-hasher.ts';
import { writePasswordUpgrade } from './password-upgrade.ts';

/** The `authentication.local` settings, as {@link LocalStrategy.configuration} returns them (defaults applied). */
export interface LocalStrategyConfiguration {
  /** The (dot path of the) username in the request body. Required. */
  usernameField: string;
  /** The (dot path of the) password in the request body. Required. */
  passwordField: string;
  /**
   * The username field of the entity, queried with equality.
   * @defaultValue `usernameField`
   */
  entityUsernameField: string;
  /**
   * The (dot path of the) password hash on the entity.
   * @defaultValue `passwordField`
   */
  entityPasswordField: string;
  /**
   * The message of every failed login, whatever failed.
   * @defaultValue `'Invalid login'`
   */
  errorMessage: string;
  /**
   * The longest username accepted, in characters; longer is a 400.
   * @defaultValue 256
   */
  maxUsernameLength: number;
  /**
   * The longest password accepted, in characters; longer is a 400.
   * @defaultValue 1024
   */
  maxPasswordLength: number;
  /**
   * scrypt parameters for new hashes (stored hashes written with others are upgraded on login) and what
   * Feathers' bcrypt hashes do (`bcrypt`: `'upgrade'` unless set; see {@link PasswordHasherOptions.bcrypt}).
   * @defaultValue the {@link DEFAULT_SCRYPT_PARAMETERS}
   */
  hashing?: PasswordHasherOptions;
  /**
   * Feathers' bcrypt cost, used as `hashing.bcryptCost` when that is not set: the cost bcrypt hashes are
   * written with in `'keep'` mode, the highest stored cost accepted, and the cost of the bcrypt check every
   * login pays unless `hashing.bcrypt` is `'off'`. From 4 to 12.
   * @defaultValue 10
   */
  hashSize?: number;
  /**
   * The entity service path.
   * @defaultValue `authentication.service`
   */
  service?: string;
  /**
   * The name of the entity in the result.
   * @defaultValue `authentication.entity`
   */
  entity: string;
  /**
   * The id field of the entity.
   * @defaultValue `authentication.entityId`, else the entity service's `id`
   */
  entityId?: string;
}

/** Options of the {@link LocalStrategy} constructor. */
export interface LocalStrategyOptions {
  /**
   * The hasher to use instead of one built from `authentication.local.hashing`.
   * @defaultValue `new PasswordHasher(configuration.hashing)`
   */
  hasher?: PasswordHasher;
}

const FIELD_SETTINGS = [
  'usernameField',
  'passwordField',
  'entityUsernameField',
  'entityPasswordField',
] as const;
const KNOWN_SETTINGS = [
  ...FIELD_SETTINGS,
  'errorMessage',
  'maxUsernameLength',
  'maxPasswordLength',
  'hashing',
  'hashSize',
  'service',
  'entity',
  'entityId',
];

/**
 * Username and password login, as Feathers' `LocalStrategy` (same settings, methods and messages),
 * hardened:
 * - passwords are hashed with scrypt ({@link PasswordHasher}); bcrypt hashes written by Feathers still
 *   verify and are replaced by scrypt ones on the next successful login ({@link upgradePassword});
 * - an unknown user, a wrong or missing password and an entity without a hash all fail with the same
 *   401 (`invalid-credentials`, the configured `errorMessage`) after the same work: one scrypt derivation
 *   and, unless `hashing.bcrypt` is `'off'`, one bcrypt check at `hashSize`;
 * - the username and password must be strings of bounded length: `{ "$ne": null }` is a 400
 *   (`invalid-credentials-format`) and never reaches a query;
 * - for an external call (`params.provider` set) the entity in the result has no password hash.
 *
 * @example
 * ```ts
 * const auth = new AuthenticationService(
 *   { secret, service: 'users', authStrategies: ['local', 'jwt'], local: { usernameField: 'email', passwordField: 'password' } },
 *   { services: { users } },
 * );
 * const local = new LocalStrategy();
 * auth.register('local', local);
 * await users.create(await hashPassword('password', { hasher: local.hasher }).data({ email, password }));
 * const { accessToken, user } = await auth.create({ strategy: 'local', email, password }, { provider: 'rest' });
 * ```
 */
export class LocalStrategy extends AuthenticationBaseStrategy {
  readonly #givenHasher: PasswordHasher | undefined;
  #hasher: PasswordHasher | undefined;

  /** @param options - An explicit hasher; by default one is built from the configuration. */
  constructor(options: LocalStrategyOptions = {}) {
    super();
    this.#givenHasher = options.hasher;
  }

  /**
   * The settings of `authentication.<name>`, with Feathers' defaults and the top-level `service`, `entity`
   * and `entityId`. A top-level `entity: null` makes the JWT strategy entity-less; this strategy still
   * finds a user, and returns it as `user` unless `<name>.entity` names it otherwise.
   */
  override get configuration(): LocalStrategyConfiguration {
    const auth = this.authentication?.configuration ?? {};
    const own = (super.configuration ?? {}) as Partial<LocalStrategyConfiguration>;
    return {
      service: auth.service,
      entity: auth.entity === null ? 'user' : auth.entity,
      entityId: auth.entityId,
      errorMessage: 'Invalid login',
      maxUsernameLength: 256,
      maxPasswordLength: 1024,
      entityPasswordField: own.passwordField,
      entityUsernameField: own.usernameField,
      ...own,
    } as LocalStrategyConfiguration;
  }

  /** The password hasher: the one given to the constructor, else one built from `hashing`, `hashSize` and `maxPasswordLength`. */
  get hasher(): PasswordHasher {
    return (this.#hasher ??= this.#givenHasher ?? this.#buildHasher(this.configuration));
  }

  #buildHasher(config: LocalStrategyConfiguration): PasswordHasher {
    return new PasswordHasher({
      ...(config.hashSize === undefined ? {} : { bcryptCost: config.hashSize }),
      ...config.hashing,
      // hashPassword() with this hasher then refuses what a login would refuse.
      maxPasswordLength: config.maxPasswordLength,
    });
  }

  /** Called by the service on register; a new service means a new configuration to build the hasher from. */
  override setAuthentication(auth: AuthenticationHost): void {
    super.setAuthentication(auth);
    this.#hasher = undefined;
  }

  /**
   * Checks the settings, synchronously, when the strategy is registered.
   * @throws BadRequest (`invalid-configuration`): `'local' authentication strategy requires a 'usernameField'
   * setting` (Feathers' message), an unknown setting (with a did-you-mean hint), a field that is not a
   * dot path, `local.entity: null` (the strategy returns the user it finds under that name), a bad length limit or bad `hashing` parameters.
   */
  override verifyConfiguration(): void {
    const config = this.configuration;
    for (const prop of ['usernameField', 'passwordField'] as const) {
      if (typeof config[prop] !== 'string') {
        throw configError(`'${this.name}' authentication strategy requires a '${prop}' setting`);
      }
    }
    for (const key of Object.keys(super.configuration ?? {})) {
      if (!KNOWN_SETTINGS.includes(key)) {
        const hint = didYouMean(key, KNOWN_SETTINGS);
        throw configError(
          `Unknown '${this.name}' authentication setting '${key}'` +
            (hint ? `. Did you mean '${hint}'?` : ''),
        );
      }
    }
    for (const prop of FIELD_SETTINGS) {
      if (!isDotPath(config[prop])) {
        throw configError(`The '${this.name}' setting '${prop}' must be a field name or a dot path`);
      }
    }
    if (typeof config.errorMessage !== 'string' || config.errorMessage === '') {
      throw configError(`The '${this.name}' setting 'errorMessage' must be a non-empty string`);
    }
    if (typeof config.entity !== 'string' || config.entity === '') {
      throw configError(
        `The '${this.name}' strategy returns the user it finds under '${this.name}.entity', which must be a name, not null ` +
          `('entity: null' at the top level is what makes the JWT strategy entity-less)`,
      );
    }
    for (const prop of ['maxUsernameLength', 'maxPasswordLength'] as const) {
      if (!Number.isInteger(config[prop]) || config[prop] < 1) {
        throw configError(`The '${this.name}' setting '${prop}' must be a positive integer`);
      }
    }
    if (config.hashing !== undefined && (typeof config.hashing !== 'object' || config.hashing === null)) {
      throw configError(`The '${this.name}' setting 'hashing' must be an object of scrypt parameters`);
    }
    if (config.hashing?.maxPasswordLength !== undefined) {
      throw configError(`Set '${this.name}.maxPasswordLength', not 'hashing.maxPasswordLength'`);
    }
    if (
      config.hashSize !== undefined &&
      (!Number.isInteger(config.hashSize) ||
        config.hashSize < BCRYPT_MIN_COST ||
        config.hashSize > BCRYPT_MAX_COST)
    ) {
      throw configError(
        `The '${this.name}' setting 'hashSize' (the bcrypt cost) must be an integer from ${BCRYPT_MIN_COST} to ${BCRYPT_MAX_COST}`,
      );
    }
    if (/(^|\.)\$/.test(config.entityUsernameField)) {
      // A `$` key is a query operator (`$limit`, `$select`...): the username would never be an equality.
      throw configError(`The '${this.name}' setting 'entityUsernameField' must not start a segment with '$'`);
    }
    if (this.#givenHasher !== undefined && this.#givenHasher.maxPasswordLength > config.maxPasswordLength) {
      throw configError(
        `The '${this.name}' strategy's hasher accepts passwords of ${this.#givenHasher.maxPasswordLength} characters but 'maxPasswordLength' is ${config.maxPasswordLength}: a user could sign up with a password that can never log in`,
      );
    }
    this.#hasher = this.#givenHasher ?? this.#buildHasher(config);
  }

  /**
   * Checks that the entity service exists once the authentication service is set up.
   * @param auth - The authentication service.
   * @throws BadRequest (`invalid-configuration`) when no entity service is configured, or it is missing.
   */
  override async setup(auth?: AuthenticationHost): Promise<void> {
    await super.setup(auth);
    const { service } = this.configuration;
    if (service === undefined) {
      throw configError(
        `The '${this.name}' strategy finds users in an entity service: set 'service' (or '${this.name}.service')`,
      );
    }
    if (this.entityService === undefined) {
      throw configError(`The '${this.name}' strategy's entity service '${service}' does not exist`);
    }
  }

  /**
   * The query that finds the entity; override it to add conditions (`{ active: true }`).
   * @param query - `{ [entityUsernameField]: username }`.
   * @param _params - The call parameters (without `provider`).
   * @returns `{ $limit: 1, ...query }`.
   */
  async getEntityQuery(query: Query, _params: Params): Promise<Query> {
    return { $limit: 1, ...query };
  }

  /**
   * Finds the entity with this username (the first one when several match).
   * @param username - The username; MUST be a string.
   * @param params - The call parameters (without `provider`).
   * @throws NotAuthenticated (`invalid-credentials`, `errorMessage`) when the username is empty or no entity matches.
   * @throws BadRequest (`invalid-credentials-format`) when the username is not a string.
   */
  async findEntity(username: string | undefined, params: Params): Promise<Record<string, any>> {
    const { entityUsernameField } = this.configuration;
    if (username === undefined || username === '') throw this.#invalidLogin();
    if (typeof username !== 'string') {
      throw new BadRequest(`'${entityUsernameField}' must be a string`, {
        reason: 'invalid-credentials-format',
      });
    }
    const query = await this.getEntityQuery({ [entityUsernameField]: username }, params);
    const result = await this.#entityService().find({ ...params, query });
    const list = Array.isArray(result) ? result : result.data;
    const [entity] = Array.isArray(list) ? list : [];
    if (entity === undefined || entity === null) throw this.#invalidLogin();
    return entity;
  }

  /**
   * The entity for the result: as found for an internal call; for an external call (`params.provider`
   * set) fetched again with `get` (so the service's own rules apply), without the password hash.
   * @param result - The entity that was found.
   * @param params - The call parameters.
   * @throws NotAuthenticated `Could not get local entity` when the entity has no id.
   */
  async getEntity(result: Record<string, any>, params: Params): Promise<Record<string, any>> {
    const entityService = this.#entityService();
    const { entityId = entityService.id, entity, entityPasswordField } = this.configuration;
    if (!entityId || result?.[entityId] === undefined) {
      throw new NotAuthenticated('Could not get local entity');
    }
    if (!params.provider) return result;
    const fetched = await entityService.get(result[entityId], { ...params, [entity]: result });
    return omitPath(fetched, entityPasswordField);
  }

  /**
   * Checks the password against the entity's hash in constant time. Exactly one key derivation runs
   * whatever happens: without an entity or a hash it runs against a dummy hash.
   * @param entity - The entity, or `null` when none was found.
   * @param password - The password.
   * @returns The entity.
   * @throws NotAuthenticated (`invalid-credentials`, `errorMessage`) on any mismatch.
   */
  async comparePassword(entity: Record<string, any> | null, password: string): Promise<Record<string, any>> {
    const hash = entity === null ? undefined : getPath(entity, this.configuration.entityPasswordField);
    const usable = typeof hash === 'string' && hash !== '' ? hash : undefined;
    const ok = await this.hasher.verify(typeof password === 'string' ? password : '', usable);
    if (!ok || entity === null) throw this.#invalidLogin();
    return entity;
  }

  /**
   * Hashes a password for storage with {@link hasher}.
   * @param password - The plain password.
   * @param _params - The call parameters.
   * @returns The PHC string to store.
   */
  async hashPassword(password: string, _params?: Params): Promise<string> {
    return this.hasher.hash(password);
  }

  /**
   * After a successful login, replaces a hash that {@link PasswordHasher.shouldRehash} reports (bcrypt
   * from Feathers in `'upgrade'` mode, older scrypt parameters, scrypt in `'keep'` mode) by patching the
   * entity. A password over bcrypt's 72 bytes is never moved to or from bcrypt (bcrypt checked only its
   * first 72 bytes, so the typed ending may not be the user's). The patch carries `params.passwordUpgrade`,
   * so `hashPassword()` stores the new hash as it is (exactly once). Best effort: a failed patch does not
   * fail the login, the next one tries again.
   * @param entity - The entity that was found.
   * @param password - The password that just verified.
   * @returns The patched entity, or `entity` unchanged.
   */
  async upgradePassword(entity: Record<string, any>, password: string): Promise<Record<string, any>> {
    const { entityPasswordField, entityId } = this.configuration;
    const hash = getPath(entity, entityPasswordField) as string;
    const entityService = this.#entityService();
    const id = entity[entityId ?? entityService.id ?? 'id'];
    if (!this.hasher.shouldRehash(password, hash) || id === undefined) return entity;
    try {
      const newHash = await this.hasher.hash(password);
      return await writePasswordUpgrade(entityService, id, entity, entityPasswordField, password, newHash);
    } catch {
      return entity;
    }
  }

  /**
   * Authenticates `{ [usernameField]: username, [passwordField]: password }`.
   * @param data - The request body.
   * @param params - The call parameters.
   * @returns `{ authentication: { strategy }, [entity]: entity }`.
   * @throws BadRequest (`invalid-credentials-format`) when the username or password is not a bounded string.
   * @throws NotAuthenticated (`invalid-credentials`, `errorMessage`) for every other failure.
   */
  async authenticate(data: AuthenticationRequest, params: Params = {}): Promise<AuthenticationResult> {
    const { passwordField, usernameField, entity, maxUsernameLength, maxPasswordLength } = this.configuration;
    const username = readCredential(data, usernameField, maxUsernameLength);
    const password = readCredential(data, passwordField, maxPasswordLength);
    const { provider: _provider, ...paramsWithoutProvider } = params;

    // Every path does the same work (one lookup when there is a username, then one key derivation),
    // so the time taken tells nothing about which check failed.
    let found: Record<string, any> | null = null;
    try {
      found = await this.findEntity(username, paramsWithoutProvider);
    } catch (error) {
      if (!(error instanceof NotAuthenticated)) throw error;
    }
    const result = await this.comparePassword(password === undefined ? null : found, password ?? '');
    const upgraded = await this.upgradePassword(result, password!);

    return {
      authentication: { strategy: this.name },
      [entity]: await this.getEntity(upgraded, params),
    };
  }

  #entityService(): EntityService {
    const service = this.entityService;
    if (service === undefined) {
      throw new GeneralError(`The '${this.name}' strategy's entity service is not registered`);
    }
    return service;
  }

  #invalidLogin(): NotAuthenticated {
    return new NotAuthenticated(this.configuration.errorMessage, { reason: 'invalid-credentials' });
  }
}
