// OpenID Provider metadata (OpenID Connect Discovery 1.0 section 3, RFC 8414): enough for standard
// verifiers (openid-client, jose's createRemoteJWKSet behind a discovery step, API gateways) to find the
// issuer's keys. This server issues access tokens, not ID tokens, and offers no authorization endpoint;
// the metadata says only what is true.
import type { FastifyInstance } from 'fastify';

/** What the discovery document states. */
export interface DiscoveryOptions {
  /** The `iss` of every token (`authentication.jwtOptions.issuer`). */
  issuer: string;
  /** The absolute URL of the JWKS. */
  jwksUri: string;
  /** The signing algorithm of the key ring. */
  algorithm: string;
}

/** The discovery document's path. */
export const DISCOVERY_PATH = '/.well-known/openid-configuration';

/**
 * `GET /.well-known/openid-configuration`.
 *
 * @param app - The Fastify instance.
 * @param options - The issuer, the JWKS URL and the algorithm.
 */
export async function discoveryRoutes(app: FastifyInstance, options: DiscoveryOptions): Promise<void> {
  const body = JSON.stringify({
    issuer: options.issuer,
    jwks_uri: options.jwksUri,
    id_token_signing_alg_values_supported: [options.algorithm],
    token_endpoint_auth_signing_alg_values_supported: [options.algorithm],
    subject_types_supported: ['public'],
    response_types_supported: ['id_token'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'auth_time'],
  });
  app.get(DISCOVERY_PATH, async (_request, reply) =>
    reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(body),
  );
}
