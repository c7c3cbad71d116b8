import type { KeyObject } from 'node:crypto';
import { Type, type Static, type TObject } from '@sinclair/typebox';

/** A string or list of strings (`aud`, `iss`...). */
const StringOrList = Type.Union([Type.String(), Type.Array(Type.String())], {
  expected: 'a string or an array of strings',
});

/** A duration: seconds as a number, or a string such as `'1d'` or `'15 minutes'`. */
const Duration = Type.Union([Type.Number({ minimum: 0 }), Type.String({ minLength: 1 })], {
  expected: "a duration (seconds, or a string such as '1d')",
});

/** An object schema whose extra keys belong to a strategy: typed as open, validated by the strategy. */
function Open<T extends TObject>(schema: T) {
  return Type.Unsafe<Static<T> & { [key: string]: unknown }>(schema);
}

/** Any object, including class instances (a `KeyObject`, a `KeyRing`, a revocation store). */
function AnyObject<T>(description: string) {
  return Type.Unsafe<T>(Type.Object({}, { additionalProperties: true, description }));
}

/** A key: a PEM string, a JWK object or a Node `KeyObject`. */
const KeyInput = Type.Unsafe<string | KeyObject | Record<string, unknown>>(
  Type.Union([Type.String({ minLength: 1 }), Type.Object({}, { additionalProperties: true })], {
    expected: 'a PEM string, a JWK object or a KeyObject',
  }),
);

/** Signing options (`authentication.jwtOptions`), in Feathers' shape. */
export const JwtOptionsSchema = Type.Object(
  {
    header: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'JOSE header members, e.g. `{ typ: "access" }`.',
      }),
    ),
    audience: Type.Optional(StringOrList),
    issuer: Type.Optional(Type.String()),
    algorithm: Type.Optional(Type.String()),
    expiresIn: Type.Optional(Duration),
    subject: Type.Optional(Type.String()),
    jwtid: Type.Optional(Type.String()),
    notBefore: Type.Optional(Duration),
  },
  { additionalProperties: false, description: 'Options used when signing an access token.' },
);

/** Verification options (`authentication.verifyOptions`). */
export const VerifyOptionsSchema = Type.Object(
  {
    algorithms: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
    algorithm: Type.Optional(
      Type.String({ description: "Feathers' singular form of `algorithms` (`'HS256'` is `['HS256']`)." }),
    ),
    audience: Type.Optional(
      Type.Union([StringOrList, Type.Null()], { expected: 'a string, an array of strings or null' }),
    ),
    issuer: Type.Optional(
      Type.Union([StringOrList, Type.Null()], { expected: 'a string, an array of strings or null' }),
    ),
    clockTolerance: Type.Optional(Duration),
    maxTokenAge: Type.Optional(Duration),
    typ: Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Literal(false)], {
        expected: 'a non-empty string or false',
      }),
    ),
    requireTyp: Type.Optional(Type.Boolean()),
    offloadSignature: Type.Optional(
      Type.Boolean({
        description:
          "Check RS/PS/ES/EdDSA signatures on libuv's thread pool instead of the event loop (HMAC stays synchronous); default false.",
      }),
    ),
  },
  { additionalProperties: false, description: 'Options used when verifying an access token.' },
);

/** Where the JWT strategy reads tokens and finds entities (`authentication.jwt`). */
const JwtStrategySchema = Type.Object(
  {
    header: Type.Optional(Type.String({ minLength: 1 })),
    schemes: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    entity: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    service: Type.Optional(Type.String()),
    entityId: Type.Optional(Type.String()),
  },
  { additionalProperties: true, description: 'JWT strategy settings; the strategy validates the rest.' },
);

/** Username/password login settings (`authentication.local`). */
const LocalStrategySchema = Type.Object(
  {
    usernameField: Type.Optional(Type.String()),
    passwordField: Type.Optional(Type.String()),
    entityUsernameField: Type.Optional(Type.String()),
    entityPasswordField: Type.Optional(Type.String()),
    errorMessage: Type.Optional(Type.String()),
    entity: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    service: Type.Optional(Type.String()),
    entityId: Type.Optional(Type.String()),
  },
  { additionalProperties: true, description: 'Local strategy settings; the strategy validates the rest.' },
);

/**
 * The JSON Schema (TypeBox) of the `authentication` configuration section, in Feathers' shape with keys and
 * key ring settings beside it. Top-level keys outside this schema are rejected at `setup()` with a
 * did-you-mean hint, except the names of registered strategies, whose sections the strategies validate.
 */
export const AuthenticationConfigurationSchema = Type.Object(
  {
    secret: Type.Optional(Type.String({ minLength: 1, description: 'The HMAC secret (HS* algorithms).' })),
    privateKey: Type.Optional(KeyInput),
    publicKey: Type.Optional(KeyInput),
    keyRing: Type.Optional(AnyObject<object>('A KeyRing instance or its settings.')),
    entity: Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
        description: 'The name of the entity on results and params (`user`); `null` for none.',
      }),
    ),
    service: Type.Optional(Type.String({ minLength: 1, description: 'The path of the entity service.' })),
    entityId: Type.Optional(
      Type.String({ minLength: 1, description: 'The entity id field; defaults to `service.id`.' }),
    ),
    authStrategies: Type.Optional(
      Type.Array(Type.String(), { description: 'Strategies allowed to log in.' }),
    ),
    parseStrategies: Type.Optional(
      Type.Array(Type.String(), { description: 'Strategies that parse HTTP requests.' }),
    ),
    jwtOptions: Type.Optional(JwtOptionsSchema),
    verifyOptions: Type.Optional(VerifyOptionsSchema),
    jwt: Type.Optional(Open(JwtStrategySchema)),
    local: Type.Optional(Open(LocalStrategySchema)),
    refresh: Type.Optional(
      Open(Type.Object({ maxSessionAge: Type.Optional(Duration) }, { additionalProperties: true })),
    ),
    realtime: Type.Optional(
      Open(
        Type.Object(
          {
            expiryWarning: Type.Optional(Duration),
            onExpiry: Type.Optional(Type.Union([Type.Literal('deauthenticate'), Type.Literal('disconnect')])),
          },
          { additionalProperties: true },
        ),
      ),
    ),
    // `object`, not a record: a denylist is an interface without an index signature.
    revocation: Type.Optional(
      Type.Unsafe<false | object>(
        Type.Union([Type.Literal(false), Type.Object({}, { additionalProperties: true })], {
          description:
            'Token revocation: a revocation check, `{ store }` for a denylist, or `false` for none; absent, an in-process denylist.',
          expected:
            'false, a revocation check ({ isRevoked, revoke }) or { store } (a Keyv instance or a redis://, postgres://, sqlite:// URL)',
        }),
      ),
    ),
    verifiedTokenCache: Type.Optional(
      Type.Union(
        [
          Type.Boolean(),
          Type.Object(
            {
              max: Type.Optional(
                Type.Integer({ minimum: 1, description: 'The most tokens held; default 10000.' }),
              ),
              maxBytes: Type.Optional(
                Type.Integer({
                  minimum: 1,
                  description: 'The most memory the entries may take (estimated), in bytes; default 16 MiB.',
                }),
              ),
            },
            { additionalProperties: false },
          ),
        ],
        {
          description:
            'Cache verified tokens in memory (opt-in): `true` for the defaults, `{ max, maxBytes }` for bounds, `false` or absent for none. A hit still checks the key, the time claims and revocation.',
          expected: 'true, false or { max?, maxBytes? } (positive integers)',
        },
      ),
    ),
    entityCache: Type.Optional(AnyObject<Record<string, unknown>>('Entity cache settings.')),
    oauth: Type.Optional(
      AnyObject<Record<string, unknown>>(
        'OAuth settings (`redirect`, `origins`, one section per provider); `@org/strategy-oauth` validates them.',
      ),
    ),
  },
  { additionalProperties: true },
);

/**
 * The `authentication` configuration section, inferred from {@link AuthenticationConfigurationSchema};
 * strategy-owned sections (`oauth`, a custom strategy's name...) are allowed as extra keys.
 */
export type AuthenticationConfiguration = Static<typeof AuthenticationConfigurationSchema> & {
  [strategy: string]: unknown;
};

/** Signing options, inferred from {@link JwtOptionsSchema}. */
export type JwtOptionsConfiguration = Static<typeof JwtOptionsSchema>;

/** Verification options, inferred from {@link VerifyOptionsSchema}. */
export type VerifyOptionsConfiguration = Static<typeof VerifyOptionsSchema>;
