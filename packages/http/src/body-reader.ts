import type { Readable } from 'node:stream';
import { BadRequest, PayloadTooLarge } from '@org/core';

/** The 413 every host answers past the limit (no size in the message: the limit is configuration). */
export function tooLarge(limit: number): PayloadTooLarge {
  return new PayloadTooLarge(`The request body is larger than ${limit} bytes`);
}

/** A `Content-Length` that is present, well-formed and above the limit: refuse before reading. */
function declaredTooLarge(contentLength: string | undefined, limit: number): boolean {
  return contentLength !== undefined && /^\d+$/.test(contentLength) && Number(contentLength) > limit;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * Reads a Node request stream up to `limit` bytes. Past it, it stops listening and rejects at once;
 * the unread rest is left to Node, which discards it once the response ends.
 *
 * @param stream - The request (`IncomingMessage`, or a Fastify body stream).
 * @param limit - The most bytes to accept.
 * @param contentLength - The `Content-Length` header, checked before reading.
 * @throws PayloadTooLarge past the limit; BadRequest `invalid-body` when the client aborts.
 */
export function readNodeBody(stream: Readable, limit: number, contentLength?: string): Promise<Uint8Array> {
  if (declaredTooLarge(contentLength, limit)) return Promise.reject(tooLarge(limit));
  if (stream.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const done = (error?: Error) => {
      stream.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (error) reject(error);
      else resolve(concat(chunks, size));
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.byteLength;
      if (size > limit) {
        stream.pause();
        done(tooLarge(limit));
      } else chunks.push(bytes);
    };
    const onEnd = () => done();
    const onError = () =>
      done(new BadRequest('The request body could not be read', { reason: 'invalid-body' }));
    const onAborted = onError;
    stream.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}

/**
 * Reads a Fetch body stream up to `limit` bytes, cancelling it past the limit.
 *
 * @param body - `request.body` (`null` for no body).
 * @param limit - The most bytes to accept.
 * @param contentLength - The `Content-Length` header, checked before reading.
 * @throws PayloadTooLarge past the limit; BadRequest `invalid-body` when the stream fails.
 */
export async function readWebBody(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  contentLength?: string | null,
): Promise<Uint8Array> {
  if (declaredTooLarge(contentLength ?? undefined, limit)) throw tooLarge(limit);
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return concat(chunks, size);
      size += value.byteLength;
      if (size > limit) {
        void reader.cancel().catch(() => undefined);
        throw tooLarge(limit);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof PayloadTooLarge) throw error;
    throw new BadRequest('The request body could not be read', { reason: 'invalid-body', cause: error });
  } finally {
    reader.releaseLock();
  }
}
