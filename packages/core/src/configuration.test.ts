import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { MapService, testConfiguration } from '../test/fixtures.ts';
import { AuthenticationService } from './authentication-service.ts';
import { DEFAULT_CONFIGURATION } from './configuration.ts';
import { didYouMean, editDistance } from './did-you-mean.ts';
import { BadRequest } from './errors.ts';

const users = new MapService();

function configError(run: () => unknown): BadRequest {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequest);
    expect((error as BadRequest).reason).toBe('invalid-configuration');
    expect((error as BadRequest).code).toBe(400);
    return error as BadRequest;
  }
  throw new Error('expected a configuration error');
}

async function setupError(configuration: Record<string, unknown>, services: Record<string, any> = { users }) {
  const auth = new AuthenticationService(configuration, { services });
  auth.register('first', {});
  try {
    await auth.setup();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequest);
    expect((error as BadRequest).reason).toBe('invalid-configuration');
    return (error as BadRequest).message;
  }
  throw new Error('expected a setup error');
}

describe('configuration defaults', () => {
  it("applies Feathers' defaults", () => {
    const auth = new AuthenticationService({ secret: 's', service: 'users' }, { services: { users } });
    expect(auth.configuration).toEqual({
      secret: 's',
      service: 'users',
      entity: 'user',
      authStrategies: [],
      jwtOptions: {
        header: { typ: 'access' },
        audience: 'https://yourdomain.com',
        issuer: 'feathers',
        algorithm: 'HS256',
        expiresIn: '1d',
      },
      jwt: { header: 'Authorization', schemes: ['Bearer', 'JWT'] },
    });
  });

  it('merges jwtOptions and jwt one level deep over the defaults', () => {
    const auth = new AuthenticationService({
      secret: 's',
      jwtOptions: { expiresIn: '1h', audience: ['a', 'b'] },
      jwt: { schemes: ['Bearer'] },
    });
    expect(auth.configuration.jwtOptions).toEqual({
      header: { typ: 'access' },
      audience: ['a', 'b'],
      issuer: 'feathers',
      algorithm: 'HS256',
      expiresIn: '1h',
    });
    expect(auth.configuration.jwt).toEqual({ header: 'Authorization', schemes: ['Bearer'] });
  });

  it('defaults the algorithm to HS256 only when a secret is the only key material', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    expect(new AuthenticationService({ privateKey }).configuration.jwtOptions?.algorithm).toBeUndefined();
    expect(
      new AuthenticationService({ secret: 's', keyRing: {} }).configuration.jwtOptions?.algorithm,
    ).toBeUndefined();
    expect(
      new AuthenticationService({ privateKey, jwtOptions: { algorithm: 'EdDSA' } }).configuration.jwtOptions,
    ).toMatchObject({ algorithm: 'EdDSA' });
  });

  it('exposes the defaults frozen', () => {
    expect(Object.isFrozen(DEFAULT_CONFIGURATION.jwtOptions.header)).toBe(true);
    expect(DEFAULT_CONFIGURATION.entity).toBe('user');
  });
});

describe('configuration isolation (the Feathers leak does not happen here)', () => {
  it('is deeply frozen: what a caller gets cannot be changed', () => {
    const auth = new AuthenticationService(testConfiguration({ jwtOptions: { header: { typ: 'access' } } }));
    const config = auth.configuration as any;
    expect(() => {
      config.jwtOptions.expiresIn = '100y';
    }).toThrow(TypeError);
    expect(() => {
      config.jwtOptions.header.typ = 'refresh';
    }).toThrow(TypeError);
    expect(() => config.authStrategies.push('evil')).toThrow(TypeError);
    expect(() => {
      config.secret = 'other';
    }).toThrow(TypeError);
    expect(() => {
      // @ts-expect-error read-only in the types too (DeepReadonly), not only at run time
      auth.configuration.jwtOptions!.header!.typ = 'refresh';
    }).toThrow(TypeError);
    // @ts-expect-error arrays are read-only arrays
    expect(() => auth.configuration.authStrategies!.push('evil')).toThrow(TypeError);
    expect(auth.configuration.jwtOptions?.expiresIn).toBe('1d');
    expect(auth.configuration.authStrategies).toEqual(['first', 'second']);
  });

  it("mutating one instance's input or output never changes another instance", () => {
    const input = testConfiguration({ jwtOptions: { expiresIn: '1h', header: { typ: 'access' } } }) as any;
    const first = new AuthenticationService(input);
    const second = new AuthenticationService(input);
    input.jwtOptions.expiresIn = '100y';
    input.jwtOptions.header.typ = 'evil';
    input.authStrategies.push('evil');
    try {
      (first.configuration as any).jwtOptions.expiresIn = '200y';
    } catch {
      // frozen: assignment throws in strict mode
    }
    for (const auth of [first, second, new AuthenticationService(testConfiguration())]) {
      expect(auth.configuration.jwtOptions?.expiresIn).toBe(auth === first || auth === second ? '1h' : '1d');
      expect(auth.configuration.jwtOptions?.header).toEqual({ typ: 'access' });
      expect(auth.configuration.authStrategies).toEqual(['first', 'second']);
    }
    expect(first.configuration).not.toBe(second.configuration);
  });

  it('keeps KeyObjects and class instances by reference, unfrozen', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    class KeyRingLike {
      started = false;
      start() {
        this.started = true;
      }
    }
    const keyRing = new KeyRingLike();
    const auth = new AuthenticationService({ privateKey, publicKey, keyRing, entity: null });
    expect(auth.configuration.privateKey).toBe(privateKey);
    expect(auth.configuration.publicKey).toBe(publicKey);
    expect(auth.configuration.keyRing).toBe(keyRing);
    keyRing.start();
    expect(keyRing.started).toBe(true);
  });

  it('copies a JSON __proto__ key as data, never as a prototype', () => {
    const input = JSON.parse('{"secret":"s","entity":null,"local":{"__proto__":{"polluted":true}}}');
    const auth = new AuthenticationService(input);
    const local = auth.configuration.local as Record<string, unknown>;
    expect(Object.getPrototypeOf(local)).toBe(Object.prototype);
    expect((local as any).polluted).toBeUndefined();
    expect(Object.keys(local)).toEqual(['__proto__']);
  });
});

describe('configuration validation at construction', () => {
  it('rejects a configuration that is not an object', () => {
    for (const value of [undefined, null, 'secret', ['secret']]) {
      const error = configError(() => new AuthenticationService(value as any));
      expect(error.message).toBe('The authentication configuration must be an object');
    }
  });

  it('names the key and what it expects for a wrong type', () => {
    const prefix = 'Invalid authentication configuration';
    const cases: [Record<string, unknown>, string][] = [
      [{ secret: 42 }, `${prefix} 'secret': expected a non-empty string`],
      [{ secret: '' }, `${prefix} 'secret': expected a non-empty string`],
      [{ entity: 42 }, `${prefix} 'entity': expected a non-empty string or null`],
      [
        { jwtOptions: { expiresIn: true } },
        `${prefix} 'jwtOptions.expiresIn': expected a duration (seconds, or a string such as '1d')`,
      ],
      [
        { jwtOptions: { audience: 3 } },
        `${prefix} 'jwtOptions.audience': expected a string or an array of strings`,
      ],
      [{ authStrategies: 'jwt' }, `${prefix} 'authStrategies': expected an array of strings`],
      [{ authStrategies: ['jwt', 3] }, `${prefix} 'authStrategies.1': expected a string`],
      [
        { verifyOptions: { typ: true } },
        `${prefix} 'verifyOptions.typ': expected a non-empty string or false`,
      ],
      [{ verifyOptions: { requireTyp: 'yes' } }, `${prefix} 'verifyOptions.requireTyp': expected a boolean`],
      [
        { realtime: { onExpiry: 'explode' } },
        `${prefix} 'realtime.onExpiry': expected "deauthenticate" or "disconnect"`,
      ],
      [{ privateKey: 3 }, `${prefix} 'privateKey': expected a PEM string, a JWK object or a KeyObject`],
      [{ jwt: 'Bearer' }, `${prefix} 'jwt': expected an object`],
      [
        { verifyOptions: { offloadSignature: 'yes' } },
        `${prefix} 'verifyOptions.offloadSignature': expected a boolean`,
      ],
      [
        { verifiedTokenCache: 'on' },
        `${prefix} 'verifiedTokenCache': expected true, false or { max?, maxBytes? } (positive integers)`,
      ],
      [
        { verifiedTokenCache: { max: 0 } },
        `${prefix} 'verifiedTokenCache': expected true, false or { max?, maxBytes? } (positive integers)`,
      ],
    ];
    for (const [input, message] of cases) {
      expect(configError(() => new AuthenticationService({ secret: 's', ...input })).message).toBe(message);
    }
  });

  it('rejects unknown jwtOptions and verifyOptions keys with a did-you-mean hint', () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { jwtOptions: { expiresin: '1d' } },
        "Unknown authentication configuration key 'jwtOptions.expiresin'. Did you mean 'jwtOptions.expiresIn'?",
      ],
      [
        { jwtOptions: { algorithms: ['HS256'] } },
        "Unknown authentication configuration key 'jwtOptions.algorithms'. Did you mean to set it in 'verifyOptions'?",
      ],
      [
        { verifyOptions: { clockTolerence: 5 } },
        "Unknown authentication configuration key 'verifyOptions.clockTolerence'. Did you mean 'verifyOptions.clockTolerance'?",
      ],
      [{ verifyOptions: { zzz: 1 } }, "Unknown authentication configuration key 'verifyOptions.zzz'."],
      [
        { verifiedTokenCache: { maxByte: 1024 } },
        "Unknown authentication configuration key 'verifiedTokenCache.maxByte'. Did you mean 'verifiedTokenCache.maxBytes'?",
      ],
    ];
    for (const [input, message] of cases) {
      expect(configError(() => new AuthenticationService({ secret: 's', ...input })).message).toBe(message);
    }
  });

  it('accepts the verified-token cache and signature offload settings', () => {
    for (const verifiedTokenCache of [true, false, {}, { max: 5 }, { max: 5, maxBytes: 4096 }]) {
      expect(
        () =>
          new AuthenticationService({
            secret: 's',
            verifiedTokenCache,
            verifyOptions: { offloadSignature: true },
          }),
      ).not.toThrow();
    }
  });

  it('leaves strategy-owned sections open for the strategy to validate', () => {
    expect(
      () =>
        new AuthenticationService({
          secret: 's',
          jwt: { custom: 1 },
          local: { usernameField: 'email', x: 1 },
        }),
    ).not.toThrow();
  });
});

describe('configuration validation at setup()', () => {
  it('rejects an unknown top-level key with a did-you-mean hint', async () => {
    expect(await setupError(testConfiguration({ jwtOption: {} }))).toBe(
      "Unknown authentication configuration key 'jwtOption'. Did you mean 'jwtOptions'?",
    );
    expect(await setupError(testConfiguration({ Secret: 'x' }))).toBe(
      "Unknown authentication configuration key 'Secret'. Did you mean 'secret'?",
    );
    expect(await setupError(testConfiguration({ frist: {} }))).toBe(
      "Unknown authentication configuration key 'frist'. Did you mean 'first'?",
    );
    expect(await setupError(testConfiguration({ banana: 1 }))).toBe(
      "Unknown authentication configuration key 'banana'.",
    );
  });

  it('leaves an object section of no registered strategy for one registered after setup(), which validates it then', async () => {
    const auth = new AuthenticationService(testConfiguration({ ldap: { clientId: 'app' } }), {
      services: { users },
    });
    await expect(auth.setup()).resolves.toBeUndefined();
    expect(auth.unclaimedSections).toEqual(['ldap']);
    // Registered late: its verifyConfiguration reads and checks the section now, as it would before setup.
    const strictFor = (service: AuthenticationService) => ({
      configuration: undefined as unknown,
      setName(name: string) {
        this.configuration = service.configuration[name];
      },
      verifyConfiguration() {
        if (typeof (this.configuration as { clientId?: unknown })?.clientId !== 'string')
          throw new BadRequest("'ldap.clientId' must be a string", { reason: 'invalid-configuration' });
      },
    });
    expect(() => auth.register('ldap', strictFor(auth))).not.toThrow();
    expect(auth.unclaimedSections).toEqual([]);

    const bad = new AuthenticationService(testConfiguration({ ldap: { clientId: 7 } }), {
      services: { users },
    });
    await bad.setup();
    expect(() => bad.register('ldap', strictFor(bad))).toThrow("'ldap.clientId' must be a string");
  });

  it('reports, once, a section no strategy ever claimed, on the first authentication', async () => {
    const warnings: unknown[] = [];
    const spy = vi.spyOn(process, 'emitWarning').mockImplementation(((
      message: string,
      options?: { code?: string },
    ) => {
      warnings.push({ message, code: options?.code });
    }) as typeof process.emitWarning);
    try {
      const auth = new AuthenticationService(testConfiguration({ ldap: { clientId: 'app' } }), {
        services: { users },
      });
      auth.register('first', { authenticate: async () => ({ authentication: { strategy: 'first' } }) });
      await auth.setup();
      expect(warnings).toEqual([]);
      await auth.authenticate({ strategy: 'first' }, {}, 'first');
      await auth.authenticate({ strategy: 'first' }, {}, 'first');
      expect(warnings).toEqual([
        {
          code: 'ORG_AUTH_UNCLAIMED_SECTION',
          message:
            "The authentication configuration section 'ldap' is claimed by no registered strategy: register the strategy named 'ldap', or remove the section",
        },
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it('still refuses a typo of a known key, or a value that cannot be a section, though it is an object', async () => {
    expect(await setupError(testConfiguration({ locl: { usernameField: 'email' } }))).toBe(
      "Unknown authentication configuration key 'locl'. Did you mean 'local'?",
    );
    expect(await setupError(testConfiguration({ frist: { a: 1 } }))).toBe(
      "Unknown authentication configuration key 'frist'. Did you mean 'first'?",
    );
  });

  it('accepts the section of any registered strategy', async () => {
    const auth = new AuthenticationService(testConfiguration({ first: { hello: 'world' } }), {
      services: { users },
    });
    auth.register('first', {});
    await expect(auth.setup()).resolves.toBeUndefined();
  });

  it('requires a secret, a privateKey or a keyRing', async () => {
    expect(await setupError({ service: 'users' })).toBe(
      "A 'secret', 'privateKey' or 'keyRing' must be provided in your authentication configuration",
    );
    const { privateKey } = generateKeyPairSync('ed25519');
    for (const keys of [{ secret: 's' }, { privateKey }, { keyRing: {} }]) {
      await expect(new AuthenticationService({ ...keys, entity: null }).setup()).resolves.toBeUndefined();
    }
  });

  it("requires 'service' unless entity is null", async () => {
    expect(await setupError({ secret: 's' })).toBe(
      "The 'service' option is not set in the authentication configuration",
    );
    await expect(new AuthenticationService({ secret: 's', entity: null }).setup()).resolves.toBeUndefined();
  });

  it('requires the entity service to exist', async () => {
    expect(await setupError(testConfiguration({ service: 'ghosts' }))).toBe(
      "The 'ghosts' entity service does not exist (set 'entity' to null if it is not required)",
    );
  });

  it("requires an 'id' on the entity service or an 'entityId'", async () => {
    const noId = { ...new MapService(), id: undefined, get: users.get } as any;
    expect(await setupError(testConfiguration(), { users: noId })).toBe(
      "The 'users' service does not have an 'id' property and no 'entityId' option is set.",
    );
    const auth = new AuthenticationService(testConfiguration({ entityId: '_id' }), {
      services: { users: noId },
    });
    await expect(auth.setup()).resolves.toBeUndefined();
  });

  it('can be retried after a failed setup, and sets up strategies only once it passes', async () => {
    const services: Record<string, any> = {};
    const auth = new AuthenticationService(testConfiguration(), { services });
    let setups = 0;
    auth.register('first', { setup: () => void setups++ });
    await expect(auth.setup()).rejects.toThrow("The 'users' entity service does not exist");
    expect(setups).toBe(0);
    services.users = users;
    await auth.setup();
    expect(setups).toBe(1);
  });
});

describe('did-you-mean', () => {
  it('computes the Levenshtein distance', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('', 'ab')).toBe(2);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('jwtOption', 'jwtOptions')).toBe(1);
    expect(editDistance('flaw', 'lawn')).toBe(2);
  });

  it('suggests the closest plausible candidate only', () => {
    expect(didYouMean('jwtOption', ['secret', 'jwtOptions', 'jwt'])).toBe('jwtOptions');
    expect(didYouMean('SECRET', ['secret'])).toBe('secret');
    expect(didYouMean('foo', ['local', 'jwt'])).toBeUndefined();
    expect(didYouMean('entityid', ['entity', 'entityId'])).toBe('entityId');
    expect(didYouMean('servce', ['service', 'secret'])).toBe('service');
  });
});
