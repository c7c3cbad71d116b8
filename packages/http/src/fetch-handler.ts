import { NotFound } from '@org/core';
import { readWebBody } from './body-reader.ts';
import type { HttpRequestInit } from './http-request.ts';
import { httpErrorResponse, type HttpResponse } from './http-response.ts';
import type { HttpTransport } from './transport.ts';

/**
 * What a Fetch host passes beside the request, read structurally for the client address: give
 * `{ remoteAddress }` yourself, or pass Deno's `info` (`remoteAddr.hostname`) or Bun's `server`
 * (`requestIP(request)`) as they come.
 */
export interface FetchContext {
  /** The peer's address. */
  remoteAddress?: string;
  /** Deno's `ServeHandlerInfo.remoteAddr`. */
  remoteAddr?: { hostname?: string };
  /** Bun's `Server#requestIP`. */
  requestIP?(request: Request): { address?: string } | null | undefined;
}

/** Options of {@link fetchHandler}. */
export interface FetchHandlerOptions {
  /**
   * Answers the requests no route matches.
   * @defaultValue a 404 in Feathers' error JSON
   */
  fallback?: (request: Request, context?: FetchContext) => Response | Promise<Response>;
}

/** A Fetch handler: `(request, context?) => Promise<Response>`. */
export type FetchHandler = (request: Request, context?: FetchContext) => Promise<Response>;

/** Statuses whose response has no body (Fetch refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function peerAddress(request: Request, context: FetchContext | undefined): string | undefined {
  if (context === undefined || context === null) return undefined;
  if (typeof context.remoteAddress === 'string') return context.remoteAddress;
  if (typeof context.remoteAddr?.hostname === 'string') return context.remoteAddr.hostname;
  return typeof context.requestIP === 'function' ? context.requestIP(request)?.address : undefined;
}

/**
 * The transport's view of a Fetch request.
 * @param request - The request.
 * @param context - The host's context, for the client address.
 */
export function fetchRequestInit(request: Request, context?: FetchContext): HttpRequestInit {
  const url = new URL(request.url);
  return {
    method: request.method,
    url: url.pathname + url.search,
    headers: Object.fromEntries(request.headers),
    peerAddress: peerAddress(request, context),
    raw: request,
    readBody: (limit) => readWebBody(request.body, limit, request.headers.get('content-length')),
  };
}

/**
 * A Fetch `Response` from a transport response.
 * @param response - What to send.
 */
export function toFetchResponse(response: HttpResponse): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    for (const one of typeof value === 'string' ? [value] : value) headers.append(name, one);
  }
  const body = NULL_BODY.has(response.status) || response.body === undefined ? null : response.body;
  return new Response(body as ConstructorParameters<typeof Response>[0], {
    status: response.status,
    headers,
  });
}

/**
 * Serves a transport on a Fetch host: Hono, Bun, Deno, Cloudflare-style workers, service workers.
 * Without a client address in the context, failed logins are counted per account only.
 *
 * @param transport - From {@link createHttpTransport}.
 * @param options - What to answer for other paths.
 * @returns The handler.
 * @example
 * ```ts
 * const handle = fetchHandler(transport);
 * Deno.serve((request, info) => handle(request, info));
 * Bun.serve({ fetch: (request, server) => handle(request, server) });
 * // Hono
 * app.all('/authentication', (c) => handle(c.req.raw, { remoteAddress: getConnInfo(c).remote.address }));
 * ```
 */
export function fetchHandler(transport: HttpTransport, options: FetchHandlerOptions = {}): FetchHandler {
  return async (request, context) => {
    const response = await transport.handle(fetchRequestInit(request, context));
    if (response !== undefined) return toFetchResponse(response);
    if (options.fallback) return options.fallback(request, context);
    return toFetchResponse(httpErrorResponse(new NotFound('Not found'), transport.realm));
  };
}
