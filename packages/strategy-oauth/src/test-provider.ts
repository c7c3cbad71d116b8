import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** The test client registered at the provider. */
export const CLIENT_ID = 'test-client';
/** Its secret. */
export const CLIENT_SECRET = 'test-client-secret-that-is-long-enough';

/** A real OpenID provider (oidc-provider 8, certified) on 127.0.0.1, with its dev login and consent pages. */
export interface TestProvider {
  /** The issuer URL (`http://127.0.0.1:<port>`). */
  issuer: string;
  /** The RSA private JWK it signs ID tokens with (tests forge tokens with it). */
  signingKey: JsonWebKey & { kid: string };
  /** Stops it. */
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1:0 and tells its origin; the handler is set later. */
export async function listen(): Promise<{
  server: Server;
  origin: string;
  handle(h: Parameters<typeof createServer>[1]): void;
}> {
  let handler: NonNullable<Parameters<typeof createServer>[1]> = (_req, res) => res.end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    handle(h) {
      handler = h!;
    },
  };
}

/**
 * Starts oidc-provider with one confidential client whose redirect URIs are given.
 * @param redirectUris - The client's callback URLs.
 */
export async function startTestProvider(redirectUris: string[]): Promise<TestProvider> {
  const { server, origin, handle } = await listen();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rsa', alg: 'RS256', use: 'sig' };
  const provider = new Provider(origin, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ['test-provider-cookie-key-0123456789'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // devInteractions: any login name is an account; its claims follow from it.
    async findAccount(_ctx: unknown, id: string) {
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          email: `${id}@example.com`,
          email_verified: true,
          name: `User ${id}`,
        }),
      };
    },
    pkce: { methods: ['S256'], required: () => true },
    ttl: {
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 600,
      IdToken: 600,
      AuthorizationCode: 60,
    },
    features: { devInteractions: { enabled: true } },
  });
  // oidc-provider logs dev-interaction warnings on start: not news in a test.
  provider.on('server_error', () => undefined);
  handle(provider.callback());
  return {
    issuer: origin,
    signingKey: signingKey as JsonWebKey & { kid: string },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
