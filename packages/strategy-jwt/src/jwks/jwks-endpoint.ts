import { BadRequest, Unavailable } from '@org/core';
import { ifNoneMatchMatches, strongEtag } from './etag.ts';
import type { JwksSource } from './jwks-source.ts';
import { toPublicJwks } from './public-jwk.ts';

/** The media type of a JWK Set (RFC 7517 §8.5.1). */
export const JWK_SET_MEDIA_TYPE = 'application/jwk-set+json';

/** The path a JWKS is conventionally served at. */
export const JWKS_PATH = '/.well-known/jwks.json';

/** Options of the JWKS endpoint and its HTTP adapters. */
export interface JwksEndpointOptions {
  /**
   * The longest `Cache-Control: max-age` served, in seconds. The served value is also never longer
   * than the time left until the source's next key change; 0 serves `no-cache`.
   * @defaultValue 3600
   */
  maxAge?: number;
  /**
   * The path the Connect-style middleware and the Fastify plugin answer on (the plain handler
   * answers wherever it is mounted).
   * @defaultValue '/.well-known/jwks.json'
   */
  path?: string;
  /** The clock, in epoch milliseconds (tests inject a fake one). @defaultValue `Date.now` */
  clock?: () => number;
}

/** A framework-neutral JWKS response: the adapters copy it onto their reply. */
export interface JwksResponse {
  /** The HTTP status: 200, 304, 405 or 503. */
  status: 200 | 304 | 405 | 503;
  /** Headers to send, with their canonical names. */
  headers: Record<string, string>;
  /** The body bytes to send (empty for HEAD, 304 and 405); bytes so frameworks add no charset. */
  body: Buffer;
}

const EMPTY = Buffer.alloc(0);

interface Snapshot {
  body: Buffer;
  etag: string;
  length: string;
  nextChangeAt: number | undefined;
}

/**
 * Serves a JWK Set: the body and its strong `ETag` are computed once per key set change (on the
 * source's `onChange`, or when the announced change time has passed), never per request.
 *
 * @example
 * ```ts
 * const endpoint = new JwksEndpoint(keyRing, { maxAge: 600 });
 * const { status, headers, body } = endpoint.respond('GET', req.headers['if-none-match']);
 * ```
 */
export class JwksEndpoint {
  readonly #source: JwksSource;
  readonly #maxAge: number;
  readonly #clock: () => number;
  readonly #unsubscribe: (() => void) | undefined;
  #snapshot: Snapshot | undefined;
  #refreshedAt = -Infinity;

  /**
   * @param source - Where the keys come from (a key ring).
   * @param options - Cache lifetime cap and clock.
   * @throws BadRequest `invalid-configuration` when the source or an option is invalid.
   */
  constructor(source: JwksSource, options: JwksEndpointOptions = {}) {
    if (
      !source ||
      typeof source.jwks !== 'function' ||
      typeof source.nextChangeAt !== 'function' ||
      typeof source.onChange !== 'function'
    ) {
      throw new BadRequest('JWKS source must have jwks(), nextChangeAt() and onChange()', {
        reason: 'invalid-configuration',
      });
    }
    const maxAge = options.maxAge ?? 3600;
    if (!Number.isInteger(maxAge) || maxAge < 0) {
      throw new BadRequest('JWKS maxAge must be a whole number of seconds >= 0', {
        reason: 'invalid-configuration',
      });
    }
    this.#source = source;
    this.#maxAge = maxAge;
    this.#clock = options.clock ?? Date.now;
    this.#refresh();
    const off = source.onChange(() => this.#refresh());
    this.#unsubscribe = typeof off === 'function' ? off : undefined;
  }

  /** The current body, as served (public members only). */
  get body(): string | undefined {
    this.#ensureFresh();
    return this.#snapshot?.body.toString();
  }

  /** The current strong entity tag. */
  get etag(): string | undefined {
    this.#ensureFresh();
    return this.#snapshot?.etag;
  }

  /**
   * Answers one request.
   * @param method - The HTTP method.
   * @param ifNoneMatch - The `If-None-Match` header, if any.
   */
  respond(method: string | undefined, ifNoneMatch?: string | readonly string[]): JwksResponse {
    if (method !== 'GET' && method !== 'HEAD') {
      return { status: 405, headers: { Allow: 'GET, HEAD' }, body: EMPTY };
    }
    this.#ensureFresh();
    const snapshot = this.#snapshot;
    if (!snapshot) {
      const body = Buffer.from(JSON.stringify(new Unavailable('Key set unavailable')));
      return {
        status: 503,
        headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Retry-After': '5' },
        body: method === 'HEAD' ? EMPTY : body,
      };
    }
    const headers: Record<string, string> = {
      'Cache-Control': this.#cacheControl(snapshot),
      ETag: snapshot.etag,
    };
    // RFC 9110 §13.1.2: If-None-Match uses the weak comparison; a match on GET/HEAD is a 304.
    if (ifNoneMatchMatches(ifNoneMatch, snapshot.etag)) return { status: 304, headers, body: EMPTY };
    headers['Content-Type'] = JWK_SET_MEDIA_TYPE;
    headers['Content-Length'] = snapshot.length;
    headers['X-Content-Type-Options'] = 'nosniff';
    return { status: 200, headers, body: method === 'HEAD' ? EMPTY : snapshot.body };
  }

  /** Stops listening to the source's changes. Idempotent. */
  close(): void {
    this.#unsubscribe?.();
  }

  #cacheControl(snapshot: Snapshot): string {
    let seconds = this.#maxAge;
    if (snapshot.nextChangeAt !== undefined) {
      // Round down: a cache must never hold the set past the moment it changes.
      seconds = Math.min(seconds, Math.floor((snapshot.nextChangeAt - this.#clock()) / 1000));
    }
    return seconds > 0 ? `public, max-age=${seconds}` : 'no-cache';
  }

  #ensureFresh(): void {
    const next = this.#snapshot?.nextChangeAt;
    const now = this.#clock();
    // A source that is late with its change is asked again at most once a second, not per request.
    if (
      this.#snapshot === undefined ||
      (next !== undefined && now >= next && now - this.#refreshedAt >= 1000)
    ) {
      this.#refresh();
    }
  }

  #refresh(): void {
    this.#refreshedAt = this.#clock();
    try {
      const body = Buffer.from(JSON.stringify(toPublicJwks(this.#source.jwks())));
      const next = this.#source.nextChangeAt();
      this.#snapshot = {
        body,
        etag: strongEtag(body),
        length: String(body.length),
        nextChangeAt: typeof next === 'number' && Number.isFinite(next) ? next : undefined,
      };
    } catch {
      // Keep serving the last good set: a store outage must not empty the JWKS (ARCHITECTURE invariant 2).
    }
  }
}
