import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { authenticateMiddleware } from '@org/core';
import express, { type Express } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeHandler } from './node-handler.ts';
import { createHttpTransport } from './transport.ts';
import { PASSWORD, createTestAuth } from './test-app.ts';
import { json, transportSuite, type HostFactory } from './test-transport-suite.ts';

async function listen(app: Express) {
  const server: Server = await new Promise((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** Express 5 (Connect-style middleware): the transport first, then a route guarded by core's middleware. */
const connectHost: HostFactory = async (transport, auth) => {
  const app = express();
  app.use(nodeHandler(transport));
  app.get('/me', authenticateMiddleware(auth, 'jwt'), (req, res) => {
    const { user, authentication } = req as unknown as Record<string, unknown>;
    res.json({ user, authentication });
  });
  return listen(app);
};

transportSuite('Connect (Express 5)', connectHost);

describe('nodeHandler as Express middleware', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  const login = (url: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('works mounted under a path, and lets other paths through to the next middleware', async () => {
    const { auth } = await createTestAuth();
    const app = express();
    app.use('/api', nodeHandler(createHttpTransport(auth)));
    app.use((_req, res) => {
      res.status(404).send('express 404');
    });
    const { url, close } = await listen(app);
    closers.push(close);
    const res = await login(`${url}/api/authentication`, {
      strategy: 'local',
      email: 'ada@example.com',
      password: PASSWORD,
    });
    expect(res.status).toBe(201);
    const other = await fetch(`${url}/api/other`);
    expect(other.status).toBe(404);
    expect(await other.text()).toBe('express 404');
  });

  it('accepts a body express.json() already read, with the same rules', async () => {
    const { auth } = await createTestAuth();
    const app = express();
    app.use(express.json());
    app.use(nodeHandler(createHttpTransport(auth, { bodyLimit: 200 })));
    const { url, close } = await listen(app);
    closers.push(close);
    const ok = await login(`${url}/authentication`, {
      strategy: 'local',
      email: 'ada@example.com',
      password: PASSWORD,
    });
    expect(ok.status).toBe(201);
    const tooBig = await login(`${url}/authentication`, { strategy: 'local', padding: 'x'.repeat(300) });
    expect(tooBig.status).toBe(413);
    const poisoned = await fetch(`${url}/authentication`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"__proto__":{"strategy":"local"}}',
    });
    expect(poisoned.status).toBe(400);
    expect((await json(poisoned)).data.reason).toBe('invalid-body');
  });
});
