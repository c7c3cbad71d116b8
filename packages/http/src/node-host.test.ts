import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticateMiddleware } from '@org/core';
import { describe, expect, it } from 'vitest';
import { nodeHandler } from './node-handler.ts';
import { createHttpTransport } from './transport.ts';
import { createTestAuth } from './test-app.ts';
import { transportSuite, type HostFactory } from './test-transport-suite.ts';

/** node:http: the transport's handler first, then a guarded /me, then 404. */
const nodeHost: HostFactory = async (transport, auth) => {
  const handle = nodeHandler(transport);
  const guard = authenticateMiddleware(auth, 'jwt');
  const server = createServer((req, res) =>
    handle(req, res, () => {
      if (req.url !== '/me') {
        res.statusCode = 404;
        return res.end('host 404');
      }
      guard(req, res, () => {
        const { user, authentication } = req as unknown as Record<string, unknown>;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ user, authentication }));
      });
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => server.closeAllConnections() ?? server.close(() => resolve())),
  };
};

transportSuite('node:http', nodeHost);

describe('nodeHandler without next', () => {
  it('answers other paths with a 404 in Feathers JSON', async () => {
    const { auth } = await createTestAuth();
    const server = createServer(nodeHandler(createHttpTransport(auth)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/nope`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        name: 'NotFound',
        message: 'Not found',
        code: 404,
        className: 'not-found',
        data: { reason: 'not-found' },
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
