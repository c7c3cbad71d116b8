import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bearerSetup } from '../test/fixtures.ts';
import { authenticateMiddleware } from './authenticate-middleware.ts';
import type { AuthError } from './errors.ts';
import { bearerChallenge } from './www-authenticate.ts';
import { NotAuthenticated } from './errors.ts';

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A plain Node server running the middleware then a handler, the way Connect chains them. */
async function serve(
  middleware: (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void,
  handler: (req: IncomingMessage, res: ServerResponse) => void = (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ user: (req as any).user, authentication: (req as any).authentication }));
  },
): Promise<string> {
  server = createServer((req, res) =>
    middleware(req, res, (error) => {
      if (error) {
        res.statusCode = 599;
        res.end(String(error));
        return;
      }
      handler(req, res);
    }),
  );
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('authenticateMiddleware (Connect / Node http)', () => {
  it('sets req.authentication and req.user and calls next()', async () => {
    const { auth, token } = await bearerSetup();
    const url = await serve(authenticateMiddleware(auth, 'jwt'));
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.user).toEqual({ id: 1, name: 'Ada' });
    expect(body.authentication).toMatchObject({ strategy: 'jwt', accessToken: token });
  });

  it('answers 401 Not authenticated with a bare Bearer challenge when no credentials were sent', async () => {
    const { auth } = await bearerSetup();
    const url = await serve(authenticateMiddleware(auth, { strategies: ['jwt'], realm: 'example' }));
    const res = await fetch(url);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="example"');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({
      name: 'NotAuthenticated',
      message: 'Not authenticated',
      code: 401,
      className: 'not-authenticated',
      data: { reason: 'no-credentials' },
    });
  });

  it('answers 401 with error="invalid_token" for a bad token', async () => {
    const { auth } = await bearerSetup();
    const url = await serve(authenticateMiddleware(auth, 'jwt'));
    const res = await fetch(url, { headers: { authorization: 'Bearer a.b.forged' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="invalid_token", error_description="Invalid token"',
    );
    expect(((await res.json()) as any).data).toEqual({ reason: 'invalid-signature' });
  });

  it('answers 500 General error for an unexpected failure, without the cause, and reports it to onError', async () => {
    const { auth } = await bearerSetup();
    const cause = new Error('secret internals');
    auth.register('broken', { parse: () => Promise.reject(cause) });
    const onError = vi.fn();
    const url = await serve(authenticateMiddleware(auth, { strategies: ['broken'], onError }));
    const res = await fetch(url);
    expect(res.status).toBe(500);
    expect(res.headers.get('www-authenticate')).toBeNull();
    const text = await res.text();
    expect(text).not.toContain('secret internals');
    expect(JSON.parse(text)).toEqual({
      name: 'GeneralError',
      message: 'General error',
      code: 500,
      className: 'general-error',
      data: { reason: 'general-error' },
    });
    expect(onError).toHaveBeenCalledTimes(1);
    expect((onError.mock.calls[0]?.[0] as AuthError).cause).toBe(cause);
  });

  it('an onError that throws is caught and logged: the client still gets its answer', async () => {
    const { auth } = await bearerSetup();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const onError = vi.fn(() => {
      throw new TypeError('logger is down: secret internals');
    });
    try {
      const url = await serve(authenticateMiddleware(auth, { strategies: ['jwt'], onError }));
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).data).toEqual({ reason: 'no-credentials' });
      expect(onError).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(
        "The authenticate guard's onError callback threw (TypeError); the error response was sent anyway",
        { code: 'ORG_AUTH_ONERROR_FAILED' },
      );
      expect(JSON.stringify(warn.mock.calls)).not.toContain('secret internals');
    } finally {
      warn.mockRestore();
    }
  });

  it('passes an error thrown by next() on to next(error)', async () => {
    const { auth, token } = await bearerSetup();
    const url = await serve(authenticateMiddleware(auth, 'jwt'), () => {
      throw new Error('handler failed');
    });
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(599);
    expect(await res.text()).toBe('Error: handler failed');
  });
});

describe('bearerChallenge (RFC 6750)', () => {
  it('is only for 401s', () => {
    expect(bearerChallenge(new NotAuthenticated('x', { reason: 'forbidden' }), 'api')).toBeUndefined();
  });

  it('carries no error code when no token was sent, invalid_token for any token that was', () => {
    const bare = 'Bearer realm="api"';
    expect(
      bearerChallenge(new NotAuthenticated('Not authenticated', { reason: 'no-credentials' }), 'api'),
    ).toBe(bare);
    expect(bearerChallenge(new NotAuthenticated('No access token', { reason: 'token-missing' }), 'api')).toBe(
      bare,
    );
    for (const reason of [
      'token-expired',
      'invalid-signature',
      'token-revoked',
      'entity-not-found',
    ] as const) {
      expect(bearerChallenge(new NotAuthenticated('Rejected', { reason }), 'api')).toBe(
        'Bearer realm="api", error="invalid_token", error_description="Rejected"',
      );
    }
  });

  it('strips characters a quoted-string may not carry', () => {
    const error = new NotAuthenticated('Bad "token" \\ ünïcode\n');
    expect(bearerChallenge(error, 'my "realm"')).toBe(
      'Bearer realm="my realm", error="invalid_token", error_description="Bad token  ncode"',
    );
  });
});
