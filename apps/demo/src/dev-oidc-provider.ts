// `npm start -- --dev-oidc` (or DEMO_OIDC=1): a real OpenID provider (oidc-provider, certified) on
// 127.0.0.1 for development, with its built-in login and consent pages: any login name is an account.
// Never for production: it keeps everything in memory and signs with a key made at start.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** A running development provider. */
export interface DevOidcProvider {
  /** Its issuer (`http://127.0.0.1:<port>`). */
  issuer: string;
  /** The `authentication.oauth.test` section for the demo. */
  section: { key: string; secret: string; issuer: string };
  /** Stops it. */
  close(): Promise<void>;
}

/**
 * Starts the provider with one client for the demo.
 * @param demoUrl - The demo's public URL: the client's callback is `<demoUrl>/oauth/test/callback`.
 * @param port - Where to listen (0: a free port).
 */
export async function startDevOidcProvider(demoUrl: string, port = 0): Promise<DevOidcProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientSecret = randomBytes(32).toString('base64url');
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'org-auth-demo',
        client_secret: clientSecret,
        redirect_uris: [`${demoUrl}/oauth/test/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'dev', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    async findAccount(_ctx: unknown, id: string) {
      return {
        accountId: id,
        claims: async () => ({ sub: id, email: `${id}@example.com`, email_verified: true, name: id }),
      };
    },
    pkce: { methods: ['S256'], required: () => true },
    features: { devInteractions: { enabled: true } },
    ttl: {
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 600,
      IdToken: 600,
      AuthorizationCode: 60,
    },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    section: { key: 'org-auth-demo', secret: clientSecret, issuer },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
