import { configError } from './options-check.ts';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  AuthenticationConfigurationSchema,
  type AuthenticationConfiguration,
} from './configuration-schema.ts';
import { frozenCopy, type DeepReadonly } from './deep-readonly.ts';
import { didYouMean } from './did-you-mean.ts';
import type { BadRequest } from './errors.ts';

/**
 * The defaults applied under the configuration, one level deep for `jwtOptions` and `jwt` (a key given
 * there replaces only that key). They are Feathers' defaults, except that `jwtOptions.algorithm`
 * defaults to `HS256` only when a `secret` is the only key material, so an asymmetric key or a key
 * ring is never paired with an HMAC algorithm by accident.
 */
export const DEFAULT_CONFIGURATION = frozenCopy({
  entity: 'user',
  authStrategies: [] as string[],
  jwtOptions: {
    header: { typ: 'access' },
    audience: 'https://yourdomain.com',
    issuer: 'feathers',
    algorithm: 'HS256',
    expiresIn: '1d',
  },
  jwt: { header: 'Authorization', schemes: ['Bearer', 'JWT'] },
});

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Verification settings people carry over from Feathers' single `jwtOptions` object. */
const VERIFY_ONLY = [
  'algorithms',
  'clockTolerance',
  'maxAge',
  'maxTokenAge',
  'typ',
  'requireTyp',
  'ignoreExpiration',
];

function unknownKey(path: string, key: string, candidates: readonly string[]): BadRequest {
  const message = `Unknown authentication configuration key '${path}${key}'.`;
  if (path === 'jwtOptions.' && VERIFY_ONLY.includes(key)) {
    return configError(`${message} Did you mean to set it in 'verifyOptions'?`);
  }
  const hint = didYouMean(key, candidates);
  return configError(hint === undefined ? message : `${message} Did you mean '${path}${hint}'?`);
}

/** Rejects keys that a strict (`additionalProperties: false`) object schema does not list, at any depth. */
function checkStrictKeys(schema: TSchema, value: unknown, path: string): void {
  if (!isObject(value)) return;
  if (Array.isArray(schema.anyOf)) {
    // A union with one object member (`verifiedTokenCache: boolean | { max, maxBytes }`): an object given
    // there is checked against that member, so a typo gets its did-you-mean hint.
    const objects = (schema.anyOf as TSchema[]).filter((member) => member.type === 'object');
    if (objects.length === 1) checkStrictKeys(objects[0]!, value, path);
    return;
  }
  if (schema.type !== 'object' || !isObject(schema.properties)) return;
  const properties = schema.properties as Record<string, TSchema>;
  for (const key of Object.keys(value)) {
    const child = properties[key];
    if (child === undefined) {
      if (schema.additionalProperties === false) throw unknownKey(path, key, Object.keys(properties));
      continue;
    }
    checkStrictKeys(child, value[key], `${path}${key}.`);
  }
}

const ARTICLES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  null: 'null',
  array: 'an array',
  object: 'an object',
};

/** What a schema accepts, in words: its `expected` note, else derived from its type. */
function expected(schema: TSchema): string {
  if (typeof schema.expected === 'string') return schema.expected;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as TSchema[]).map(expected).join(' or ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.type === 'string' && typeof schema.minLength === 'number' && schema.minLength > 0) {
    return 'a non-empty string';
  }
  if (schema.type === 'array' && (schema.items as TSchema | undefined)?.type === 'string')
    return 'an array of strings';
  return ARTICLES[String(schema.type)] ?? 'a valid value';
}

/**
 * Validates the types of a configuration against {@link AuthenticationConfigurationSchema}; top-level
 * keys are checked later by {@link validateConfigurationKeys}, once the strategies are known.
 *
 * @param configuration - The raw `authentication` section.
 * @throws BadRequest `invalid-configuration` naming the first bad key and what it expects.
 */
export function validateConfigurationTypes(configuration: unknown): void {
  if (!isObject(configuration)) {
    throw configError('The authentication configuration must be an object');
  }
  checkStrictKeys(AuthenticationConfigurationSchema, configuration, '');
  const first = Value.Errors(AuthenticationConfigurationSchema, configuration).First();
  if (first === undefined) return;
  const key = first.path.slice(1).split('/').join('.');
  throw configError(`Invalid authentication configuration '${key}': expected ${expected(first.schema)}`);
}

/**
 * Applies {@link DEFAULT_CONFIGURATION} and returns a deep, frozen copy that shares nothing mutable with
 * the input (key objects and key rings are kept by reference).
 *
 * @param configuration - The raw `authentication` section.
 * @returns The resolved configuration.
 */
export function resolveConfiguration(
  configuration: AuthenticationConfiguration,
): DeepReadonly<AuthenticationConfiguration> {
  const secretOnly =
    configuration.secret !== undefined &&
    configuration.privateKey === undefined &&
    configuration.keyRing === undefined;
  const { algorithm, ...jwtDefaults } = DEFAULT_CONFIGURATION.jwtOptions;
  return frozenCopy({
    entity: DEFAULT_CONFIGURATION.entity,
    authStrategies: DEFAULT_CONFIGURATION.authStrategies,
    ...configuration,
    jwtOptions: { ...jwtDefaults, ...(secretOnly ? { algorithm } : {}), ...configuration.jwtOptions },
    jwt: { ...DEFAULT_CONFIGURATION.jwt, ...configuration.jwt },
  } as AuthenticationConfiguration);
}

/**
 * Checks the top-level keys that are neither in the schema nor the name of a registered strategy. A
 * typo of a known key (`jwtOption`, `Secret`, a strategy's name) or a value that cannot be a strategy's
 * section (not an object) is refused; any other object is left for a strategy registered later to
 * claim, and returned.
 *
 * @param configuration - The configuration.
 * @param strategyNames - The registered strategy names.
 * @returns The sections no registered strategy claims yet.
 * @throws BadRequest `invalid-configuration` with a did-you-mean hint (`jwtOption` -> `jwtOptions`).
 */
export function validateConfigurationKeys(
  configuration: Readonly<Record<string, unknown>>,
  strategyNames: readonly string[],
): string[] {
  const known = [...Object.keys(AuthenticationConfigurationSchema.properties), ...strategyNames];
  const unclaimed: string[] = [];
  for (const key of Object.keys(configuration)) {
    if (known.includes(key)) continue;
    if (isObject(configuration[key]) && didYouMean(key, known) === undefined) unclaimed.push(key);
    else throw unknownKey('', key, known);
  }
  return unclaimed;
}

/**
 * The checks Feathers' `AuthenticationService.setup()` makes, with its messages: key material is
 * configured, and the entity service exists and has an id field (unless `entity` is `null`).
 *
 * @param configuration - The resolved configuration.
 * @param getEntityService - Looks an entity service up by path.
 * @throws BadRequest `invalid-configuration` naming the missing setting.
 */
export function validateSetup(
  configuration: DeepReadonly<AuthenticationConfiguration>,
  getEntityService: (path: string) => { id?: string } | undefined,
): void {
  const { secret, privateKey, keyRing, entity, service, entityId } = configuration;
  if (secret === undefined && privateKey === undefined && keyRing === undefined) {
    throw configError(
      "A 'secret', 'privateKey' or 'keyRing' must be provided in your authentication configuration",
    );
  }
  if (entity === null) return;
  if (service === undefined) {
    throw configError("The 'service' option is not set in the authentication configuration");
  }
  const entityService = getEntityService(service);
  if (entityService === undefined) {
    throw configError(
      `The '${service}' entity service does not exist (set 'entity' to null if it is not required)`,
    );
  }
  if (entityService.id === undefined && entityId === undefined) {
    throw configError(
      `The '${service}' service does not have an 'id' property and no 'entityId' option is set.`,
    );
  }
}

/**
 * Checks that every `parseStrategies` entry names a registered strategy that can parse a request, so
 * the setting is never silently ignored (invariant 10): a misspelt name would leave requests unparsed.
 *
 * @param configuration - The resolved configuration.
 * @param strategies - The registered strategies by name.
 * @throws BadRequest `invalid-configuration` naming the entry, with a did-you-mean hint.
 */
export function validateParseStrategies(
  configuration: DeepReadonly<AuthenticationConfiguration>,
  strategies: ReadonlyMap<string, { parse?: unknown }>,
): void {
  const parsers = [...strategies]
    .filter(([, strategy]) => typeof strategy.parse === 'function')
    .map(([name]) => name);
  for (const name of configuration.parseStrategies ?? []) {
    if (parsers.includes(name)) continue;
    const hint = didYouMean(name, parsers);
    throw configError(
      `'parseStrategies' lists '${name}', which is not a registered strategy that parses requests` +
        (hint === undefined ? '' : `. Did you mean '${hint}'?`),
    );
  }
}
