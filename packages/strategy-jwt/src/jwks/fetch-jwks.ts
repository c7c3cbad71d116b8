import { JWK_SET_MEDIA_TYPE } from './jwks-endpoint.ts';

/** What one JWKS request produced. @internal */
export type FetchedJwks =
  | { status: 'modified'; text: string; etag: string | undefined; maxAge: number | undefined }
  | { status: 'not-modified'; maxAge: number | undefined };

/** Settings of one JWKS request. @internal */
export interface FetchJwksOptions {
  timeout: number;
  maxBytes: number;
  etag: string | undefined;
}

/** Reads `max-age` (seconds) from `Cache-Control`; `no-cache`/`no-store` count as 0 (RFC 9111 §5.2.2). */
export function parseMaxAge(header: string | null): number | undefined {
  if (header === null) return undefined;
  let maxAge: number | undefined;
  for (const directive of header.split(',')) {
    const [name, value] = directive.trim().split('=', 2) as [string, string | undefined];
    const lower = name.toLowerCase();
    if (lower === 'no-cache' || lower === 'no-store') return 0;
    if (lower === 'max-age' && value !== undefined && /^\d+$/.test(value.replace(/^"|"$/g, ''))) {
      maxAge = Number(value.replace(/^"|"$/g, ''));
    }
  }
  return maxAge;
}

/**
 * GETs a JWK Set with no redirects, a timeout covering the whole exchange, a conditional
 * `If-None-Match`, and a size limit enforced while streaming (a lying or absent Content-Length
 * cannot make us buffer more than `maxBytes`).
 * @throws Error with a safe message on any transport, status or size problem.
 * @internal
 */
export async function fetchJwks(url: URL, options: FetchJwksOptions): Promise<FetchedJwks> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`JWKS request timed out after ${options.timeout} ms`)),
    options.timeout,
  );
  try {
    const headers: Record<string, string> = { accept: `${JWK_SET_MEDIA_TYPE}, application/json` };
    if (options.etag !== undefined) headers['if-none-match'] = options.etag;
    const res = await fetch(url, { redirect: 'error', signal: controller.signal, headers });
    const maxAge = parseMaxAge(res.headers.get('cache-control'));
    if (res.status === 304 && options.etag !== undefined) {
      await res.body?.cancel();
      return { status: 'not-modified', maxAge };
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`JWKS endpoint answered HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > options.maxBytes) {
      await res.body?.cancel();
      throw new Error(`JWKS response is larger than ${options.maxBytes} bytes`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > options.maxBytes) {
          const tooLarge = new Error(`JWKS response is larger than ${options.maxBytes} bytes`);
          controller.abort(tooLarge);
          throw tooLarge;
        }
        chunks.push(value);
      }
    }
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    return { status: 'modified', text, etag: res.headers.get('etag') ?? undefined, maxAge };
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof Error)
      throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
