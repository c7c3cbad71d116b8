// Headers every response carries, and a strict Content-Security-Policy on the login page: it holds a
// token in memory, so no inline script, no third-party origin, no framing.
import type { FastifyReply, FastifyRequest } from 'fastify';

const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * An `onSend` hook: `nosniff`, `no-referrer` and `DENY` framing everywhere, the CSP on the demo's own
 * pages (the docs site brings its own scripts and is left alone).
 *
 * @param request - The request.
 * @param reply - The reply.
 * @param payload - The body, passed through.
 * @returns The body, unchanged.
 */
export async function pageSecurityHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  if (!request.url.startsWith('/docs')) reply.header('content-security-policy', PAGE_POLICY);
  return payload;
}
