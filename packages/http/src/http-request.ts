import type { IncomingMessage } from 'node:http';

/** An HTTP method a route can answer. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/**
 * A request as every host presents it to the transport and to route handlers: the same object on
 * node:http, Connect/Express, Fastify and Fetch hosts.
 */
export interface HttpRequest {
  /** The method, upper case (`POST`). */
  readonly method: string;
  /** The path, still percent-encoded, without the query, relative to where the transport is mounted. */
  readonly path: string;
  /** The query string's parameters. */
  readonly query: URLSearchParams;
  /** The headers, by lower-case name; repeated headers are joined with `, `. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The route's `:name` parameters, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** The cookies of the `Cookie` header, percent-decoded; the first of a repeated name wins. */
  readonly cookies: Readonly<Record<string, string>>;
  /**
   * The client's address: the peer's, or with `trustProxy` the nearest untrusted `X-Forwarded-For`
   * entry; `undefined` when the host does not tell it (a Fetch host given no context).
   */
  readonly remoteAddress: string | undefined;
  /** The host's own request (what strategies' `parse()` reads): a Node `IncomingMessage` or a Fetch `Request`. */
  readonly raw: IncomingMessage | Request;
  /**
   * Reads the body, once, up to the transport's `bodyLimit`.
   * @throws PayloadTooLarge `payload-too-large` (413) past the limit, without reading further.
   */
  body(): Promise<Uint8Array>;
  /**
   * Reads the body as a JSON object (see {@link HttpTransportOptions.bodyLimit}): `__proto__`,
   * `constructor` and `prototype` members are dropped at every depth.
   * @throws PayloadTooLarge `payload-too-large` (413) past the limit.
   * @throws UnsupportedMediaType `unsupported-media-type` (415) when a body is not `application/json` (or `+json`).
   * @throws BadRequest `invalid-body` (400) for an empty body, bad JSON, or a value that is not an object.
   */
  json(): Promise<Record<string, unknown>>;
}

/** What a host adapter hands the transport for one request. */
export interface HttpRequestInit {
  /** The method, any case. */
  method: string;
  /** The path and query (`/authentication?x=1`), as in a Node `req.url`; a full URL is accepted too. */
  url: string;
  /** The headers by lower-case name. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The peer's address (`socket.remoteAddress`), if the host knows it. */
  peerAddress: string | undefined;
  /** The host's own request. */
  raw: IncomingMessage | Request;
  /**
   * Reads the whole body, rejecting with `PayloadTooLarge` once more than `limit` bytes arrived.
   * @param limit - The most bytes to accept.
   */
  readBody(limit: number): Promise<Uint8Array>;
}
