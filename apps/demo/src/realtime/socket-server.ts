// The WebSocket at /ws, in the shape of Feathers' realtime authentication: a socket authenticates with
// `{ "type": "authenticate", "strategy": "jwt", "accessToken": "..." }` (or its handshake's
// Authorization header), which runs AuthenticationService#create with the socket as `params.connection`.
// The JWT strategy then keeps the socket's expiry timer: `token-expiring` before `exp`, de-authentication
// at `exp`, both forwarded to the client. Only authenticated sockets receive messages.
import type { WebSocket } from '@fastify/websocket';
import { toAuthError, type AuthenticationService, type Connection } from '@org/core';
import type { TokenExpiryEvent } from '@org/strategy-jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MessageHub } from './message-hub.ts';

/** What the socket server needs. */
export interface SocketServerOptions {
  /** The authentication service. */
  auth: AuthenticationService;
  /** The source of live message events. */
  hub: MessageHub;
}

/** The path of the WebSocket endpoint. */
export const SOCKET_PATH = '/ws';

const PROVIDER = 'websocket';

interface Client {
  socket: WebSocket;
  connection: Connection;
}

const send = (socket: WebSocket, message: Record<string, unknown>): void => {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
};

const sendError = (socket: WebSocket, error: unknown, about?: string): void =>
  send(socket, { type: 'error', about, error: toAuthError(error).toJSON() });

const isAuthenticated = (connection: Connection): boolean => connection.authentication !== undefined;

/**
 * Registers `GET /ws` (the WebSocket upgrade). Needs `@fastify/websocket` registered on `app`.
 *
 * @param app - The Fastify instance.
 * @param options - The authentication service and the hub.
 */
export async function socketServer(app: FastifyInstance, options: SocketServerOptions): Promise<void> {
  const { auth, hub } = options;
  const clients = new Map<Connection, Client>();

  const authenticate = async (client: Client, data: Record<string, unknown>): Promise<void> => {
    const result = await auth.create(data, { provider: PROVIDER, connection: client.connection });
    send(client.socket, {
      type: 'authenticated',
      accessToken: result.accessToken,
      user: result.user,
      exp: result.authentication?.payload?.exp,
    });
  };

  const handlers: Record<string, (client: Client, message: Record<string, unknown>) => Promise<void>> = {
    authenticate: async (client, { type: _type, ...data }) => authenticate(client, data),
    logout: async (client) => {
      const authentication = client.connection.authentication as Record<string, unknown> | undefined;
      if (authentication === undefined) {
        send(client.socket, { type: 'logged-out' });
        return;
      }
      await auth.remove(null, { provider: PROVIDER, connection: client.connection, authentication });
      send(client.socket, { type: 'logged-out' });
    },
  };

  // Timers armed by the JWT strategy on each authenticated socket.
  const onExpiring = (event: TokenExpiryEvent): void => {
    const client = clients.get(event.connection);
    if (client) send(client.socket, { type: 'token-expiring', exp: event.exp });
  };
  const onExpired = (event: TokenExpiryEvent): void => {
    const client = clients.get(event.connection);
    if (client) send(client.socket, { type: 'token-expired', exp: event.exp });
  };
  // A logout over HTTP with a token a socket of this process holds ends that socket's authentication too.
  const onLogout = (result: { accessToken?: unknown }, params: { connection?: unknown }): void => {
    for (const client of clients.values()) {
      const held = (client.connection.authentication as { accessToken?: unknown } | undefined)?.accessToken;
      if (client.connection === params.connection || held !== result.accessToken) continue;
      void auth.handleConnection('logout', client.connection, result as never).then(
        () => send(client.socket, { type: 'logged-out' }),
        () => undefined,
      );
    }
  };
  auth.on('token-expiring', onExpiring);
  auth.on('token-expired', onExpired);
  auth.on('logout', onLogout);
  const unsubscribe = hub.subscribe((event) => {
    const payload = JSON.stringify({ type: `message-${event.type}`, message: event.message });
    for (const { socket, connection } of clients.values()) {
      if (isAuthenticated(connection) && socket.readyState === socket.OPEN) socket.send(payload);
    }
  });
  app.addHook('onClose', async () => {
    unsubscribe();
    auth.off('token-expiring', onExpiring);
    auth.off('token-expired', onExpired);
    auth.off('logout', onLogout);
    for (const { socket } of clients.values()) socket.close(1001, 'server closing');
  });

  app.get(SOCKET_PATH, { websocket: true }, (socket: WebSocket, request: FastifyRequest) => {
    const client: Client = { socket, connection: { provider: PROVIDER } };
    clients.set(client.connection, client);
    // Messages are handled one at a time, so an `authenticate` completes before the next message runs.
    let queue = Promise.resolve();

    socket.on('message', (raw, isBinary) => {
      queue = queue.then(async () => {
        let message: Record<string, unknown>;
        try {
          const parsed: unknown = isBinary ? undefined : JSON.parse(String(raw));
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
            throw new Error('not an object');
          message = parsed as Record<string, unknown>;
        } catch {
          sendError(socket, Object.assign(new Error('Messages must be JSON objects'), { statusCode: 400 }));
          return;
        }
        const handler = typeof message.type === 'string' ? handlers[message.type] : undefined;
        if (handler === undefined || !Object.hasOwn(handlers, message.type as string)) {
          sendError(socket, Object.assign(new Error('Unknown message type'), { statusCode: 400 }));
          return;
        }
        try {
          await handler(client, message);
        } catch (error) {
          sendError(socket, error, message.type as string);
        }
      });
    });
    socket.on('close', () => {
      clients.delete(client.connection);
      auth.emit('disconnect', client.connection);
    });

    // A client that can set headers (not a browser) may authenticate in the handshake.
    queue = queue.then(async () => {
      try {
        const fromHeader = await auth.parse(request.raw, 'jwt');
        if (fromHeader) await authenticate(client, fromHeader as Record<string, unknown>);
      } catch (error) {
        sendError(socket, error, 'authenticate');
      }
    });
  });
}
