import type { AddressInfo } from 'node:net';
import { authenticate } from '@org/core';
import { describe, expect, it } from 'vitest';
import { fetchHandler } from './fetch-handler.ts';
import { httpErrorResponse } from './http-response.ts';
import { createHttpTransport } from './transport.ts';
import { createTestAuth } from './test-app.ts';
import { fetchBridge } from './test-fetch-bridge.ts';
import { json, transportSuite, type HostFactory } from './test-transport-suite.ts';

/** A Fetch host: the transport's handler, with a guarded /me as its fallback. */
const fetchHost: HostFactory = async (transport, auth) => {
  const guard = authenticate(auth, 'jwt');
  const handler = fetchHandler(transport, {
    async fallback(request) {
      if (new URL(request.url).pathname !== '/me') return new Response('host 404', { status: 404 });
      try {
        const { user, authentication } = await guard(request);
        return Response.json({ user, authentication });
      } catch (error) {
        const { status, headers, body } = httpErrorResponse(error, transport.realm);
        return new Response(body, { status, headers: headers as Record<string, string> });
      }
    },
  });
  const server = fetchBridge(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
};

transportSuite('a Fetch host', fetchHost);

describe('fetchHandler called directly', () => {
  it('answers a Request without any server, 404 for other paths', async () => {
    const { auth } = await createTestAuth();
    const handle = fetchHandler(createHttpTransport(auth));
    const res = await handle(
      new Request('http://app.example/authentication', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ strategy: 'local', email: 'ada@example.com', password: 'nope' }),
      }),
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="api"/);
    const other = await handle(new Request('http://app.example/elsewhere'));
    expect(other.status).toBe(404);
    expect((await json(other)).name).toBe('NotFound');
  });

  it("reads the client address from Deno's info and Bun's server", async () => {
    const { auth } = await createTestAuth();
    const seen: Array<string | undefined> = [];
    const transport = createHttpTransport(auth, {
      routes: [{ method: 'GET', path: '/ip', handler: (r) => (seen.push(r.remoteAddress), { status: 204 }) }],
    });
    const handle = fetchHandler(transport);
    const request = new Request('http://app.example/ip');
    await handle(request, { remoteAddr: { hostname: '192.0.2.1' } });
    await handle(request, { requestIP: () => ({ address: '192.0.2.2' }) });
    await handle(request, { remoteAddress: '192.0.2.3' });
    await handle(request);
    expect(seen).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3', undefined]);
  });
});
