// `npm start`: reads the configuration, builds the demo, listens, and says where to go. Ctrl-C (or
// SIGTERM) closes the server, the key ring and the stores before the process exits.
import { isAuthError } from '@org/core';
import { createDemo } from './app.ts';
import { loadConfig, publicUrlOf } from './config.ts';
import { startDevOidcProvider, type DevOidcProvider } from './dev-oidc-provider.ts';

// A configuration or store problem: say what it is, without a stack, and exit.
const cannotStart = (error: unknown): never => {
  if (!isAuthError(error)) throw error;
  console.error(`[demo] cannot start: ${error.message}`);
  process.exit(1);
};

const started = Date.now();
const config = await Promise.resolve()
  .then(() => loadConfig())
  .catch(cannotStart);
// `npm start -- --dev-oidc` or DEMO_OIDC=1: a development OpenID provider, and a "Log in with the test
// provider" button on the login page.
let devOidc: DevOidcProvider | undefined;
if (process.argv.includes('--dev-oidc') || process.env.DEMO_OIDC === '1') {
  devOidc = await startDevOidcProvider(publicUrlOf(config), Number(process.env.DEMO_OIDC_PORT ?? 0));
  const oauth = (config.authentication.oauth ?? {}) as Record<string, unknown>;
  config.authentication = { ...config.authentication, oauth: { ...oauth, test: devOidc.section } };
}
const demo = await createDemo(config).catch(cannotStart);
await demo.app.listen({ host: config.host, port: config.port });

const { publicUrl, stores, kekSource } = demo;
const storage =
  stores.mode.entities === 'sqlite'
    ? `SQLite file ${stores.dataDir}/demo.sqlite`
    : `users and messages in Postgres, keys, revocations and login limits in ${stores.mode.shared === 'redis' ? 'Redis' : 'Postgres'}`;
const kek = {
  environment: 'from AUTH_KEK',
  generated: `generated into ${stores.dataDir}/kek`,
  file: `from ${stores.dataDir}/kek`,
}[kekSource];
console.log(`
org-auth demo listening on ${publicUrl} (ready in ${Date.now() - started} ms)

  Login page   ${publicUrl}/
  Docs         ${publicUrl}/docs/   (build them with \`npm run docs\`)
  JWKS         ${publicUrl}/.well-known/jwks.json
  Discovery    ${publicUrl}/.well-known/openid-configuration
  Storage      ${storage}; key-encryption key ${kek}${devOidc ? `\n  Dev OIDC     ${devOidc.issuer} (any login name and password)` : ''}

Sign up on the login page, or:
  curl -X POST ${publicUrl}/users -H 'content-type: application/json' -d '{"email":"ada@example.com","password":"correct horse"}'
  curl -X POST ${publicUrl}/authentication -H 'content-type: application/json' -d '{"strategy":"local","email":"ada@example.com","password":"correct horse"}'
`);

let closing = false;
const stop = (signal: string) => {
  if (closing) return;
  closing = true;
  console.log(`${signal}: closing`);
  Promise.all([demo.close(), devOidc?.close()]).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`[demo] close failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
