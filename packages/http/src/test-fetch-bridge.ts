import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import type { FetchHandler } from './fetch-handler.ts';

/**
 * Serves a Fetch handler on node:http (as Deno or Bun would): the test client then talks real HTTP to
 * it. The peer address goes in the context, as `{ remoteAddress }`.
 * @param handler - The Fetch handler.
 */
export function fetchBridge(handler: FetchHandler): Server {
  return createServer((req, res) => {
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      for (const one of Array.isArray(value) ? value : [value])
        if (one !== undefined) headers.append(name, one);
    }
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method,
      headers,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } : {}),
    } as RequestInit);
    handler(request, { remoteAddress: req.socket.remoteAddress }).then(
      async (response) => {
        const out: Record<string, string | string[]> = {};
        response.headers.forEach((value, name) => {
          if (name !== 'set-cookie') out[name] = value;
        });
        const cookies = response.headers.getSetCookie();
        if (cookies.length > 0) out['set-cookie'] = cookies;
        res.writeHead(response.status, out);
        res.end(Buffer.from(await response.arrayBuffer()));
      },
      (error: unknown) => {
        res.statusCode = 599;
        res.end(String(error));
      },
    );
  });
}
