import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { MemoryService } from '@org/adapter-memory';
import {
  AuthenticationService,
  authenticate,
  authenticateMiddleware,
  type AuthenticationConfiguration,
  type AuthenticationResult,
  type Id,
  type Params,
  type Query,
} from '@org/core';
import Keyv from 'keyv';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKeyRing, type KeyRing } from '../keys/key-ring.ts';
import { keyvKeyStore } from '../keys/stores/keyv-key-store.ts';
import { DAY, HOUR, KEK, clock, kidOf } from '../keys/test-ring-support.ts';
import { JWTStrategy } from './jwt-strategy.ts';
import { authWith, rejection } from './test-auth.ts';

const ADA = { id: 1, email: 'ada@example.com', password: '$scrypt$hash' };
const CACHES = { entityCache: { ttl: 60_000 }, verifiedTokenCache: true };

/** A users store whose external reads hide `password`, as a `protect('password')` hook does. */
class ProtectedUsers extends MemoryService {
  override async get(id: Id, params: Params = {}): Promise<Record<string, unknown>> {
    const record = (await super.get(id, params)) as Record<string, unknown>;
    if (!params.provider) return record;
    const { password: _hidden, ...safe } = record;
    return safe;
  }
}

const rings: KeyRing[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  vi.useRealTimers();
  await Promise.all(rings.splice(0).map((ring) => ring.stop()));
});

async function setup(
  configuration: Partial<AuthenticationConfiguration> = CACHES,
  strategy: JWTStrategy = new JWTStrategy(),
  users: MemoryService = new MemoryService({ records: [{ ...ADA }] }),
  Service: typeof AuthenticationService = AuthenticationService,
) {
  const auth = await authWith(users, configuration, strategy, Service);
  const token = await auth.createAccessToken({}, { subject: '1' });
  const guard = authenticate(auth, 'jwt');
  // The first request takes the full path and fills both caches.
  await guard(request(token));
  // Counts the requests that take the full path from here on.
  const full = vi.spyOn(JWTStrategy.prototype, 'authenticate');
  return { auth, strategy, users, token, guard, full };
}

function request(token: string, headers: Record<string, string> = {}): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.headers = { authorization: `Bearer ${token}`, ...headers };
  req.rawHeaders = Object.entries(req.headers).flatMap(([name, value]) => [name, String(value)]);
  req.url = '/';
  return req;
}

describe('JWTStrategy.authenticateFromCache: the guards answer from both caches', () => {
  it('answers what the full path answers, a fresh copy each time, without reading the store', async () => {
    const { auth, users, token, guard, full } = await setup(
      CACHES,
      undefined,
      new ProtectedUsers({ records: [{ ...ADA }] }),
    );
    const read = vi.spyOn(users, 'get');
    const req = request(token);
    const fromCache = await guard(req);
    expect(full).not.toHaveBeenCalled();
    expect(read).not.toHaveBeenCalled();
    const expected = await auth.authenticate(
      { strategy: 'jwt', accessToken: token },
      { provider: 'rest' },
      'jwt',
    );
    expect(fromCache).toEqual(expected);
    // The external view: the hook that hides `password` ran when the cache was filled.
    expect((req as any).user).toEqual({ id: 1, email: 'ada@example.com' });
    expect((req as any).authentication).toEqual(expected.authentication);

    (fromCache.user as Record<string, unknown>).email = 'changed';
    fromCache.authentication!.payload!.sub = 'someone else';
    const again = await guard(request(token));
    expect(again.user).toEqual({ id: 1, email: 'ada@example.com' });
    expect(again.authentication?.payload?.sub).toBe('1');
  });

  it('authenticateMiddleware goes on before it returns when the caches answer', async () => {
    const { auth, token, full } = await setup();
    const req = request(token);
    const next = vi.fn();
    authenticateMiddleware(auth, 'jwt')(req, {} as never, next);
    expect(next).toHaveBeenCalledWith();
    expect((req as any).user).toEqual(ADA);
    expect(full).not.toHaveBeenCalled();
  });

  it('with entity: null only the verified-token cache is needed', async () => {
    const { token, guard, full } = await setup({ entity: null, verifiedTokenCache: true });
    const result = await guard(request(token));
    expect(full).not.toHaveBeenCalled();
    expect(result).toEqual({
      accessToken: token,
      authentication: { strategy: 'jwt', accessToken: token, payload: expect.objectContaining({ sub: '1' }) },
    });
  });

  it.each([
    ['no verified-token cache', { entityCache: { ttl: 60_000 } }],
    ['no entity cache', { verifiedTokenCache: true }],
    ['a shared revocation store (only a round trip knows)', { ...CACHES, revocation: { store: new Keyv() } }],
  ])('takes the full path with %s', async (_name, configuration) => {
    const { token, guard, full } = await setup(configuration as Partial<AuthenticationConfiguration>);
    expect((await guard(request(token))).user).toEqual(ADA);
    expect(full).toHaveBeenCalledOnce();
  });

  it.each([
    ['a second Authorization line', { extra: 'Bearer x.y.z' }],
    ['an access_token query parameter', { url: '/?access_token=abc' }],
    ['two spaces after the scheme', { value: (t: string) => `Bearer  ${t}` }],
    ['a bare token, without a scheme', { value: (t: string) => t }],
  ])('leaves a request with %s to parse', async (_name, shape) => {
    const { token, guard } = await setup();
    const parse = vi.spyOn(JWTStrategy.prototype, 'parse');
    const req = request(token);
    if ('value' in shape) {
      req.headers.authorization = shape.value(token);
      req.rawHeaders = ['authorization', shape.value(token)];
    }
    if ('extra' in shape) req.rawHeaders.push('Authorization', shape.extra);
    if ('url' in shape) req.url = shape.url;
    const outcome = await guard(req).then(
      (result: AuthenticationResult) => result.user,
      (error: unknown) => error,
    );
    expect(parse).toHaveBeenCalledOnce();
    // The full path decides: the plain variants authenticate, the ambiguous ones are refused.
    if ('extra' in shape || 'url' in shape) {
      expect(outcome).toMatchObject({ code: 401, reason: 'ambiguous-credentials' });
    } else {
      expect(outcome).toEqual(ADA);
    }
  });

  describe('an overridden step is always asked', () => {
    const overrides: Array<[string, () => JWTStrategy]> = [
      [
        'parse',
        () =>
          new (class extends JWTStrategy {
            override async parse(req: unknown) {
              return super.parse(req);
            }
          })(),
      ],
      [
        'authenticate',
        () =>
          new (class extends JWTStrategy {
            override async authenticate(...args: Parameters<JWTStrategy['authenticate']>) {
              return super.authenticate(...args);
            }
          })(),
      ],
      [
        'getEntityId',
        () =>
          new (class extends JWTStrategy {
            override async getEntityId() {
              return 1;
            }
          })(),
      ],
      [
        'getEntity',
        () =>
          new (class extends JWTStrategy {
            override async getEntity(id: Id, params: Params) {
              return { ...(await super.getEntity(id, params)), decorated: true };
            }
          })(),
      ],
      [
        'fetchEntity',
        () =>
          new (class extends JWTStrategy {
            protected override async fetchEntity(id: Id, params: Params) {
              return super.fetchEntity(id, params);
            }
          })(),
      ],
      [
        'getEntityQuery',
        () =>
          new (class extends JWTStrategy {
            override async getEntityQuery(): Promise<Query> {
              return { email: ADA.email };
            }
          })(),
      ],
      [
        'the configuration getter',
        () =>
          new (class extends JWTStrategy {
            override get configuration() {
              return super.configuration;
            }
          })(),
      ],
    ];

    it.each(overrides)('%s', async (_name, make) => {
      const strategy = make();
      const shortcut = vi.spyOn(strategy, 'authenticateFromCache');
      const { token, guard } = await setup(CACHES, strategy);
      const ask = vi.spyOn(Object.getPrototypeOf(strategy) as JWTStrategy, 'parse');
      await guard(request(token));
      expect(shortcut).toHaveBeenCalled();
      expect(shortcut.mock.results.every((r) => r.value === undefined)).toBe(true);
      expect(ask).toHaveBeenCalledOnce();
    });

    it('an overridden entityService getter is asked, and its service is the one peeked', async () => {
      const asked: string[] = [];
      class OwnService extends JWTStrategy {
        override get entityService() {
          asked.push('entityService');
          return super.entityService;
        }
      }
      const { token, guard, full } = await setup(CACHES, new OwnService());
      asked.length = 0;
      expect((await guard(request(token))).user).toEqual(ADA);
      expect(asked).toEqual(['entityService']);
      expect(full).not.toHaveBeenCalled();
    });

    it("the service's verifyAccessToken", async () => {
      const verified: string[] = [];
      class Audited extends AuthenticationService {
        override verifyAccessToken(token: string, ...rest: unknown[]) {
          verified.push(token);
          return super.verifyAccessToken(token, ...(rest as []));
        }
      }
      const { token, guard, full } = await setup(CACHES, undefined, undefined, Audited);
      verified.length = 0;
      await guard(request(token));
      expect(full).toHaveBeenCalledOnce();
      expect(verified).toEqual([token]);
    });
  });

  it('a token revoked after it was cached (logout) is refused at once', async () => {
    const { auth, token, guard } = await setup();
    await auth.remove(null, { authentication: { strategy: 'jwt', accessToken: token } } as never);
    expect(await rejection(guard(request(token)))).toMatchObject({ reason: 'token-revoked' });
  });

  it('a subject revoked after its token was cached is refused at once', async () => {
    const { auth, token, guard } = await setup();
    const tokens = auth.tokenIssuer as unknown as {
      revocation: { revokeAllForSubject(iss: string, sub: string, before: number): Promise<void> };
    };
    await tokens.revocation.revokeAllForSubject('feathers', '1', Date.now() + 1000);
    expect(await rejection(guard(request(token)))).toMatchObject({ reason: 'token-revoked' });
  });

  it('an entity change is seen on the next request, which then fills the cache again', async () => {
    const { users, token, guard, full } = await setup();
    await users.patch(1, { email: 'ada@lovelace.dev' });
    expect((await guard(request(token))).user).toMatchObject({ email: 'ada@lovelace.dev' });
    expect(full).toHaveBeenCalledOnce();
    expect((await guard(request(token))).user).toMatchObject({ email: 'ada@lovelace.dev' });
    expect(full).toHaveBeenCalledOnce();
    await users.remove(1);
    expect(await rejection(guard(request(token)))).toMatchObject({ reason: 'entity-not-found' });
  });

  it('a cached token past exp is refused, as is an entity past the entity cache TTL re-read', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2030, 0, 1) });
    const { token, guard, full } = await setup({ ...CACHES, jwtOptions: { expiresIn: '1h' } });
    vi.setSystemTime(Date.UTC(2030, 0, 1) + 30 * 60_000);
    await guard(request(token));
    expect(full).toHaveBeenCalledOnce(); // the entity entry's 60 s TTL passed: read again
    await guard(request(token));
    expect(full).toHaveBeenCalledOnce();
    vi.setSystemTime(Date.UTC(2030, 0, 1) + 3600_000);
    expect(await rejection(guard(request(token)))).toMatchObject({ reason: 'token-expired' });
  });

  describe('behind a key ring', () => {
    const PERIOD = 30 * DAY;
    const T0 = 20_000 * PERIOD + 10 * DAY;
    const BOUNDARY = 20_001 * PERIOD;

    async function ringSetup() {
      const time = clock(T0);
      const ring = createKeyRing({ kek: KEK, store: keyvKeyStore(), now: time.now });
      rings.push(ring);
      await ring.start();
      const { secret: _none, ...rest } = { secret: undefined, ...CACHES };
      return { time, ring, ...(await setup({ ...rest, keyRing: ring, jwtOptions: { expiresIn: '1h' } })) };
    }

    it('a token whose key is revoked is refused at once', async () => {
      const { ring, token, guard } = await ringSetup();
      await ring.revoke(kidOf(token));
      expect(await rejection(guard(request(token)))).toMatchObject({ reason: 'key-not-found' });
    });

    it('a token whose key retired is refused at once', async () => {
      const { time, ring, token, guard, full } = await ringSetup();
      time.set(BOUNDARY + HOUR);
      await ring.refresh();
      await guard(request(token)); // the old key is retiring: its token still verifies, from the caches
      expect(full).not.toHaveBeenCalled();
      time.set(BOUNDARY + ring.settings.retention + HOUR);
      await ring.refresh();
      expect(await rejection(guard(request(token)))).toMatchObject({ reason: 'key-not-found' });
    });
  });
});
