import type { IncomingMessage, ServerResponse } from 'node:http';
import { NotFound } from '@org/core';
import { readNodeBody, tooLarge } from './body-reader.ts';
import type { HttpRequestInit } from './http-request.ts';
import { httpErrorResponse, type HttpResponse } from './http-response.ts';
import type { HttpTransport } from './transport.ts';

/**
 * A Node request handler that is also a Connect/Express middleware: it answers the transport's paths
 * and calls `next()` for every other one; without `next` (a bare `http.createServer` listener) other
 * paths get a 404 in Feathers' error JSON.
 */
export type NodeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

/**
 * Reads the body of a Node request. A body that an upstream parser already consumed (Express's
 * `express.json()` mounted first) is taken from `req.body` and parsed again by the transport's rules.
 */
function readBody(req: IncomingMessage & { body?: unknown }, limit: number): Promise<Uint8Array> {
  const parsed = req.body;
  if (parsed !== undefined && req.readableEnded) {
    const bytes =
      parsed instanceof Uint8Array
        ? parsed
        : Buffer.from(typeof parsed === 'string' ? parsed : (JSON.stringify(parsed) ?? ''));
    return bytes.byteLength > limit ? Promise.reject(tooLarge(limit)) : Promise.resolve(bytes);
  }
  return readNodeBody(req, limit, req.headers['content-length']);
}

/**
 * The transport's view of a Node request.
 * @param req - The request.
 * @param body - The stream to read the body from, when it is not `req` itself (Fastify's).
 */
export function nodeRequestInit(req: IncomingMessage, body?: IncomingMessage): HttpRequestInit {
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: req.headers,
    peerAddress: req.socket?.remoteAddress,
    raw: req,
    readBody: (limit) => readBody(body ?? req, limit),
  };
}

/**
 * Writes a transport response to a Node `ServerResponse`.
 * @param res - The response.
 * @param response - What to send.
 */
export function writeNodeResponse(res: ServerResponse, response: HttpResponse): void {
  if (res.headersSent) return;
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    res.setHeader(name, typeof value === 'string' ? value : [...value]);
  }
  res.end(response.body);
}

/**
 * Serves a transport on node:http, Connect, Express (4 and 5) or Polka.
 *
 * @param transport - From {@link createHttpTransport}.
 * @returns The handler; mount it before body parsers (a body they consumed is still accepted).
 * @example
 * ```ts
 * // node:http
 * http.createServer(nodeHandler(transport)).listen(3030);
 * // Express: other paths fall through to the next middleware
 * app.use(nodeHandler(transport));
 * app.get('/me', authenticateMiddleware(auth, 'jwt'), (req, res) => res.json(req.user));
 * ```
 */
export function nodeHandler(transport: HttpTransport): NodeHandler {
  return (req, res, next) => {
    transport.handle(nodeRequestInit(req)).then(
      (response) => {
        if (response !== undefined) return writeNodeResponse(res, response);
        if (next) return next();
        writeNodeResponse(res, httpErrorResponse(new NotFound('Not found'), transport.realm));
      },
      (error: unknown) => (next ? next(error) : writeNodeResponse(res, transport.errorResponse(error))),
    );
  };
}
