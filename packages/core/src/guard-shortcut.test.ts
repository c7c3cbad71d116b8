import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import Fastify from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BearerStrategy, FakeIssuer, MapService, Strategy1, testConfiguration } from '../test/fixtures.ts';
import { authenticateMiddleware } from './authenticate-middleware.ts';
import { AuthenticationService } from './authentication-service.ts';
import type { Params } from './entity-service.ts';
import { fastifyAuthenticate } from './fastify-authenticate.ts';
import { authenticate } from './guard.ts';
import type { AuthenticationRequest, AuthenticationResult } from './strategy.ts';

/**
 * The bearer strategy with a cache shortcut: a token it authenticated once is answered again from
 * `known` (a stand-in for the JWT strategy's caches, which strategy-jwt tests against the real ones).
 */
class CachingBearer extends BearerStrategy {
  readonly known = new Map<string, AuthenticationResult>();
  shortcut: 'answer' | 'decline' | 'throw' = 'answer';
  shortcutCalls = 0;

  override async authenticate(data: AuthenticationRequest, params: Params): Promise<AuthenticationResult> {
    const result = await super.authenticate(data, params);
    this.known.set(data.accessToken as string, result);
    return result;
  }

  authenticateFromCache(req: unknown, provider: string): AuthenticationResult | undefined {
    this.shortcutCalls++;
    if (this.shortcut === 'throw') throw new Error('shortcut bug');
    if (this.shortcut === 'decline' || provider !== 'rest') return undefined;
    const value = (req as { headers: Record<string, string> }).headers.authorization;
    const cached = this.known.get(value?.slice('Bearer '.length) ?? '');
    if (cached === undefined) return undefined;
    // As the JWT strategy's: the result names the strategy by its own name.
    const result = structuredClone(cached);
    result.authentication!.strategy = this.name;
    return result;
  }
}

function nodeRequest(token: string | undefined): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  return req;
}

async function setup(
  configuration: Record<string, unknown> = {},
  Service = AuthenticationService,
  more: (auth: AuthenticationService) => void = () => undefined,
) {
  const users = new MapService();
  await users.create({ id: 1, name: 'Ada' });
  const auth = new Service(testConfiguration({ authStrategies: ['jwt'], ...configuration }), {
    services: { users },
  });
  const strategy = new CachingBearer();
  auth.register('jwt', strategy);
  more(auth);
  auth.setTokenIssuer(new FakeIssuer());
  await auth.setup();
  const token = await auth.createAccessToken({}, { subject: '1' });
  // The first request takes the full path, which fills the strategy's cache.
  await authenticate(auth, 'jwt')(nodeRequest(token));
  const full = vi.spyOn(CachingBearer.prototype, 'authenticate');
  return { auth, strategy, users, token, full };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the guards answer from the strategy caches (authenticateFromCache)', () => {
  it('authenticate(): the shortcut answers with the full path result, set on the request', async () => {
    const { auth, token, full } = await setup();
    const req = nodeRequest(token);
    const result = await authenticate(auth, 'jwt')(req);
    expect(full).not.toHaveBeenCalled();
    expect(result).toMatchObject({ accessToken: token, user: { id: 1, name: 'Ada' } });
    expect((req as any).user).toEqual({ id: 1, name: 'Ada' });
    expect((req as any).authentication).toMatchObject({ strategy: 'jwt', accessToken: token });
  });

  it('authenticateMiddleware calls next() before it returns, with req.user set', async () => {
    const { auth, token, full } = await setup();
    const req = nodeRequest(token);
    const next = vi.fn();
    authenticateMiddleware(auth, 'jwt')(req, {} as any, next);
    expect(next).toHaveBeenCalledWith();
    expect((req as any).user).toEqual({ id: 1, name: 'Ada' });
    expect(full).not.toHaveBeenCalled();
  });

  it('fastifyAuthenticate sets request.user from the shortcut', async () => {
    const { auth, token, full } = await setup();
    const app = Fastify();
    app.decorateRequest('user', null);
    app.decorateRequest('authentication', null);
    app.get(
      '/me',
      { preHandler: fastifyAuthenticate(auth, 'jwt') },
      async (request) => (request as any).user,
    );
    try {
      const res = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ id: 1, name: 'Ada' });
      expect(full).not.toHaveBeenCalled();
    } finally {
      await app.close();
    }
  });

  it('fastifyAuthenticate continues through done() on a hit, and returns a promise otherwise', async () => {
    const { auth, strategy, token, full } = await setup();
    const hook = fastifyAuthenticate(auth, 'jwt');
    const reply = {} as any;
    const hit = { raw: nodeRequest(token) } as any;
    const done = vi.fn();
    expect(hook(hit, reply, done)).toBeUndefined();
    expect(done).toHaveBeenCalledWith();
    expect(hit.user).toEqual({ id: 1, name: 'Ada' });
    // Called as code calls it, without done: a promise, even on a hit.
    await expect(hook({ raw: nodeRequest(token) } as any, reply)).resolves.toBeUndefined();
    expect(full).not.toHaveBeenCalled();

    strategy.shortcut = 'decline';
    const miss = { raw: nodeRequest(token) } as any;
    const later = vi.fn();
    const pending = hook(miss, reply, later);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toBeUndefined();
    expect(later).not.toHaveBeenCalled();
    expect(miss.user).toEqual({ id: 1, name: 'Ada' });
    expect(full).toHaveBeenCalledTimes(1);
  });

  it('a declined or throwing shortcut leaves the request to the full path', async () => {
    const { auth, strategy, token, full } = await setup();
    for (const mode of ['decline', 'throw'] as const) {
      strategy.shortcut = mode;
      const req = nodeRequest(token);
      await expect(authenticate(auth, 'jwt')(req)).resolves.toMatchObject({ user: { id: 1 } });
      expect((req as any).user).toEqual({ id: 1, name: 'Ada' });
    }
    expect(full).toHaveBeenCalledTimes(2);
    strategy.shortcut = 'throw';
    const error = await authenticate(auth, 'jwt')(nodeRequest(undefined)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 401, reason: 'no-credentials' });
  });

  it('the guard provider reaches the shortcut', async () => {
    const { auth, token, full } = await setup();
    await authenticate(auth, { strategies: ['jwt'], provider: 'socketio' })(nodeRequest(token));
    expect(full).toHaveBeenCalledOnce();
  });

  it('a service whose authenticate or parse is overridden never takes the shortcut', async () => {
    const seen: string[] = [];
    class Audited extends AuthenticationService {
      override authenticate(...args: Parameters<AuthenticationService['authenticate']>) {
        seen.push('authenticate');
        return super.authenticate(...args);
      }
    }
    class OwnParse extends AuthenticationService {
      override parse(...args: Parameters<AuthenticationService['parse']>) {
        seen.push('parse');
        return super.parse(...args);
      }
    }
    for (const Service of [Audited, OwnParse]) {
      const { auth, strategy, token } = await setup({}, Service);
      strategy.shortcutCalls = 0;
      seen.length = 0;
      await authenticate(auth, 'jwt')(nodeRequest(token));
      expect(strategy.shortcutCalls).toBe(0);
      expect(seen).toHaveLength(1);
    }
  });

  it('a first parse strategy the guard does not allow takes the full path and its refusal', async () => {
    const { auth, strategy, token } = await setup({ parseStrategies: ['jwt', 'first'] }, undefined, (auth) =>
      auth.register('first', new Strategy1()),
    );
    strategy.shortcutCalls = 0;
    const error = await authenticate(auth, 'first')(nodeRequest(token)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 401, reason: 'strategy-not-allowed' });
    expect(strategy.shortcutCalls).toBe(0);
  });

  it('a result naming another strategy than the one asked is not taken', async () => {
    const { auth, strategy, token, full } = await setup();
    // One instance under two names: it names itself by the last (`other`), so a guard for `jwt` takes
    // the full path, which authenticates with the strategy the parsed data names, not allowed here.
    auth.register('other', strategy);
    strategy.shortcutCalls = 0;
    const error = await authenticate(auth, 'jwt')(nodeRequest(token)).catch((e: unknown) => e);
    expect(strategy.shortcutCalls).toBe(1);
    expect(full).not.toHaveBeenCalled();
    expect(error).toMatchObject({ code: 401, reason: 'strategy-not-allowed' });
  });
});
