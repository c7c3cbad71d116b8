// The authentication service, built from the configuration's `authentication` section exactly as a
// Feathers app would build it, with two additions: the key ring (ES256 keys that rotate themselves,
// private keys encrypted under the KEK) and the denylist that makes logout revoke.
import { AuthenticationService, type EntityService } from '@org/core';
import { configError } from '@org/core/internal';
import { JWTStrategy, KeyRing, type KeyStore, type RevocationCheck } from '@org/strategy-jwt';
import { LocalStrategy, protect } from '@org/strategy-local';
import { oauthProviderNames, registerOAuth } from './oauth.ts';

/** What {@link createAuthentication} builds. */
export interface DemoAuthentication {
  /** The service: login, logout, strategies. */
  auth: AuthenticationService;
  /** The key ring that signs every token and feeds the JWKS. */
  keyRing: KeyRing;
  /** The local strategy (its hasher hashes sign-up passwords). */
  local: LocalStrategy;
  /** The users service as everything outside the strategies sees it: without the password hash. */
  users: EntityService;
}

/** Where the pieces come from. */
export interface AuthenticationInputs {
  /** The `authentication` section; its `keyRing` holds the ring's settings. */
  settings: Record<string, unknown>;
  /** The issuer and audience when the section names none: the server's public URL. */
  publicUrl: string;
  /** The raw users store. */
  users: EntityService;
  /** Where the key ring's records live. */
  keyStore: KeyStore;
  /** The KEK secret. */
  kek: string;
  /** The denylist consulted on every verification and written on logout. */
  revocation: RevocationCheck;
  /** Accept `http:` OAuth providers on loopback (the development provider); never in production. */
  allowInsecureLoopback?: boolean;
}

/**
 * With provider sections in `authentication.oauth`: the browser comes back to the page (`redirect`
 * defaults to the public URL), the state cookie is sealed under a key derived from the KEK unless
 * `oauth.secret` is set, and `oauth-code` may log in.
 */
function withOAuth(
  settings: Record<string, unknown>,
  publicUrl: string,
  kek: string,
): Record<string, unknown> {
  if (oauthProviderNames(settings).length === 0) return settings;
  const oauth = settings.oauth as Record<string, unknown>;
  const strategies = (settings.authStrategies as string[] | undefined) ?? [];
  return {
    ...settings,
    authStrategies: strategies.includes('oauth-code') ? strategies : [...strategies, 'oauth-code'],
    oauth: { redirect: `${publicUrl}/`, secret: kek, ...oauth },
  };
}

// The ring refuses a KEK that opens none of the stored keys (it would otherwise mint keys the other
// instances cannot read); the demo adds where its KEK comes from.
async function openKeyRing(options: Parameters<typeof KeyRing.open>[0]): Promise<KeyRing> {
  try {
    return await KeyRing.open(options);
  } catch (error) {
    const message = (error as Error)?.message ?? '';
    if (!message.startsWith('KEK mismatch')) throw error;
    throw configError(
      `${message}. The demo reads its KEK from AUTH_KEK, else <dataDir>/kek: use the one the keys were created with, or delete the data folder (or the shared key store) to start afresh`,
    );
  }
}

/**
 * Opens the key ring, then builds and sets up the authentication service with the `jwt` and `local`
 * strategies.
 *
 * @param inputs - The settings and the stores.
 * @returns The service, the ring, the local strategy and the protected users service.
 * @throws BadRequest `invalid-configuration` for a bad setting, with the name of the key.
 */
export async function createAuthentication(inputs: AuthenticationInputs): Promise<DemoAuthentication> {
  const { keyRing: ringSettings = {}, secret, ...settings } = inputs.settings;
  if (secret !== undefined) {
    throw configError(
      "authentication.secret: the demo signs with its ES256 key ring (authentication.keyRing), never with a shared secret; remove 'secret'",
    );
  }
  if (typeof ringSettings !== 'object' || ringSettings === null) {
    throw configError('authentication.keyRing must be an object of key ring settings');
  }
  const jwtOptions = {
    issuer: inputs.publicUrl,
    audience: inputs.publicUrl,
    ...(settings.jwtOptions as object),
  };
  const keyRing = await openKeyRing({
    ...ringSettings,
    store: inputs.keyStore,
    kek: { secret: inputs.kek },
  });
  try {
    // Wrapped so that the JWT strategy's entity lookup for an external call (request.user) and every
    // route's result leave without the hash; the local strategy's own lookup is internal and sees it.
    const users = protect('password').service(inputs.users);
    const auth = new AuthenticationService(
      {
        ...withOAuth(settings, inputs.publicUrl, inputs.kek),
        jwtOptions,
        keyRing,
        revocation: inputs.revocation,
      },
      { services: { [String(settings.service ?? 'users')]: users } },
    );
    const local = new LocalStrategy();
    auth.register('jwt', new JWTStrategy());
    auth.register('local', local);
    registerOAuth(auth, oauthProviderNames(settings), inputs.allowInsecureLoopback ?? false);
    await auth.setup();
    return { auth, keyRing, local, users };
  } catch (error) {
    await keyRing.stop();
    throw error;
  }
}
