// The messages collection: everyone signed in reads every message; only its author changes or deletes
// one (403 otherwise). Every change is published to the hub, which pushes it to live sockets.
import { Forbidden, type EntityService } from '@org/core';
import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import type { MessageEvent, MessageHub } from '../realtime/message-hub.ts';
import { checkBody, checkId, checkPageQuery } from '../validate.ts';

/** What the messages routes need. */
export interface MessageRoutesOptions {
  /** The messages service. */
  messages: EntityService;
  /** Where changes are announced. */
  hub: MessageHub;
  /** The guard: sets `request.user` or answers 401. */
  requireUser: preHandlerHookHandler;
}

type User = { id: unknown; email?: unknown };

const userOf = (request: FastifyRequest): User => request.user as unknown as User;

/**
 * `GET /messages` (newest first, `$limit` and `$skip`), `GET /messages/:id`, `POST /messages`
 * (`{ text }`), `PATCH`/`PUT /messages/:id` (`{ text }`, author only) and `DELETE /messages/:id`
 * (author only). Every route needs a valid token.
 *
 * @param app - The Fastify instance.
 * @param options - The service, the hub and the guard.
 */
export async function messageRoutes(app: FastifyInstance, options: MessageRoutesOptions): Promise<void> {
  const { messages, hub, requireUser } = options;
  app.addHook('preHandler', requireUser);

  // The change is stored: a bus that is down costs the live update, never the request.
  const announce = (event: MessageEvent): void => {
    hub.publish(event).catch((error: unknown) => {
      console.warn(`[demo] live update not delivered (${(error as Error)?.name ?? 'error'})`);
    });
  };

  // The owner check reads the stored record, never the body: a client cannot claim another userId.
  const ownMessage = async (
    request: FastifyRequest,
  ): Promise<{ id: string; message: Record<string, unknown> }> => {
    const id = checkId((request.params as { id?: unknown }).id);
    const message = await messages.get(id);
    if (String(message.userId) !== String(userOf(request).id)) {
      throw new Forbidden('Only the author can change or delete this message');
    }
    return { id, message };
  };

  app.get('/messages', async (request) => {
    const { $limit, $skip } = checkPageQuery(request.query);
    return messages.find({ query: { $sort: { id: -1 }, $limit, $skip } });
  });

  app.get('/messages/:id', async (request) => messages.get(checkId((request.params as { id?: unknown }).id)));

  app.post('/messages', async (request, reply) => {
    const { text } = checkBody(request.body, ['text']);
    const user = userOf(request);
    const message = await messages.create({
      text,
      userId: user.id,
      author: user.email,
      createdAt: new Date().toISOString(),
    });
    announce({ type: 'created', message });
    return reply.code(201).send(message);
  });

  const change = async (request: FastifyRequest): Promise<Record<string, unknown>> => {
    const { text } = checkBody(request.body, ['text']);
    const { id } = await ownMessage(request);
    const message = await messages.patch(id, { text, updatedAt: new Date().toISOString() });
    announce({ type: 'patched', message });
    return message;
  };
  app.patch('/messages/:id', change);
  app.put('/messages/:id', change);

  app.delete('/messages/:id', async (request) => {
    const { id, message } = await ownMessage(request);
    await messages.remove(id);
    announce({ type: 'removed', message });
    return message;
  });
}
