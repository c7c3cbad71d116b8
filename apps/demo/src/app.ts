// Wires the demo together: stores -> key ring and authentication service -> the HTTP transport
// (login, logout, JWKS, rate limits) -> the demo's own routes, the WebSocket and the static pages.
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import { createHttpTransport } from '@org/http';
import { fastifyTransport } from '@org/http/fastify';
import { JwksEndpoint } from '@org/strategy-jwt';
import { oauthRoutes } from '@org/strategy-oauth';
import Fastify, { type FastifyInstance } from 'fastify';
import { createAuthentication, type DemoAuthentication } from './authentication.ts';
import { DEMO_ROOT, publicUrlOf, type DemoConfig } from './config.ts';
import { loadKek, type KekSource } from './kek.ts';
import { socketServer } from './realtime/socket-server.ts';
import { discoveryRoutes } from './routes/discovery.ts';
import { docsRoutes } from './routes/docs.ts';
import { healthRoutes } from './routes/health.ts';
import { messageRoutes } from './routes/messages.ts';
import { userRoutes } from './routes/users.ts';
import { pageSecurityHeaders } from './security-headers.ts';
import { openStores, type DemoStores } from './stores.ts';
import { oauthProviderNames, providerLabel } from './oauth.ts';

/** The JWKS path, the one the transport serves by default. */
export const JWKS_PATH = '/.well-known/jwks.json';

/** A built demo server, not yet listening. */
export interface Demo extends DemoAuthentication {
  /** The Fastify instance: `listen()` it, or `inject()` requests in tests. */
  app: FastifyInstance;
  /** The configuration it was built from. */
  config: DemoConfig;
  /** The stores. */
  stores: DemoStores;
  /** Where the KEK came from. */
  kekSource: KekSource;
  /** The URL clients use. */
  publicUrl: string;
  /** Closes the server, the key ring and the stores. */
  close(): Promise<void>;
}

/**
 * Builds the demo server from a configuration.
 *
 * @param config - From {@link loadConfig}.
 * @param env - The environment (`AUTH_KEK`, `DEMO_NAMESPACE`).
 * @returns The demo, ready to `app.listen()`.
 */
export async function createDemo(config: DemoConfig, env: NodeJS.ProcessEnv = process.env): Promise<Demo> {
  const publicUrl = publicUrlOf(config);
  const stores = await openStores(config, env);
  let authentication: DemoAuthentication | undefined;
  try {
    const kek = loadKek(stores.dataDir, env);
    authentication = await createAuthentication({
      settings: config.authentication,
      publicUrl,
      users: stores.users,
      keyStore: stores.keyStore,
      kek: kek.secret,
      revocation: stores.denylist,
      // The development provider (`--dev-oidc`) runs on http://127.0.0.1; anything else needs https.
      allowInsecureLoopback: env.NODE_ENV !== 'production',
    });
    const { auth, keyRing, local, users } = authentication;
    const { hub } = stores;

    // 100 KiB bodies, as the transport and Feathers allow; Fastify refuses `__proto__` and
    // `constructor` members in JSON bodies with a 400 by default.
    const app = Fastify({ logger: false, bodyLimit: 102_400 });
    app.removeContentTypeParser('text/plain'); // a JSON API: any other body is a 415, as on /authentication
    const providers = oauthProviderNames(config.authentication);
    const logError = (error: { code: number; name: string; message: string; cause?: unknown }) => {
      if (error.code >= 500)
        console.error(`[demo] ${error.name}: ${String((error.cause as Error)?.message ?? error.message)}`);
    };
    const transport = createHttpTransport(auth, {
      jwks: new JwksEndpoint(keyRing),
      // GET /oauth/:provider, its callback, and POST /oauth/:provider/link, when providers are configured.
      routes: providers.length === 0 ? [] : oauthRoutes(auth, { onError: logError }),
      rateLimit: { store: stores.rateLimit, keyPrefix: `${stores.namespace}_login` },
      onError: logError,
    });
    // POST/DELETE /authentication and the JWKS, the `app.authenticate` guard (request.user), and
    // Feathers' error JSON for every route.
    await app.register(fastifyTransport, { transport });
    const requireUser = app.authenticate;

    app.addHook('onSend', pageSecurityHeaders);
    await app.register(fastifyStatic, { root: join(DEMO_ROOT, 'public'), index: 'index.html' });
    await app.register(userRoutes, { users, hasher: local.hasher, requireUser });
    await app.register(messageRoutes, { messages: stores.messages, hub, requireUser });
    await app.register(discoveryRoutes, {
      issuer: String((auth.configuration.jwtOptions as { issuer?: unknown }).issuer),
      jwksUri: `${publicUrl}${JWKS_PATH}`,
      algorithm: keyRing.settings.algorithm,
    });
    await app.register(healthRoutes, { keyRing });
    // The login page asks which "Log in with ..." buttons to show.
    app.get('/auth-providers', async () => ({
      providers: providers.map((name) => ({ name, label: providerLabel(name), url: `/oauth/${name}` })),
    }));
    await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
    await app.register(socketServer, { auth, hub });
    await app.register(docsRoutes, { siteDir: join(DEMO_ROOT, '..', '..', 'site') });

    const close = async (): Promise<void> => {
      await app.close();
      await keyRing.stop();
      await stores.close();
    };
    return { ...authentication, app, config, stores, kekSource: kek.source, publicUrl, close };
  } catch (error) {
    await authentication?.keyRing.stop();
    await stores.close().catch(() => undefined);
    throw error;
  }
}
