// Shared pieces of the benchmark servers: listening, the JSON answer, synchronous busy work, and our
// AuthenticationService with the JWT strategy and a memory users store holding the bench user.
import { once } from 'node:events';
import { AUDIENCE, ISSUER, SECRET, USER } from '../token.mjs';

/** Listens on 127.0.0.1 with an ephemeral port; resolves the port. */
export async function listen(server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server.address().port;
}

/** Ends `res` with `status` and `value` as JSON. */
export function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Spins for `ms` milliseconds: stands for the synchronous work a real handler does (serialising,
 * templating, validation), which keeps the event loop busy while signatures could run elsewhere.
 */
export function busy(ms) {
  if (!ms) return;
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** The token of `Authorization: Bearer <token>`, or undefined. */
export function bearer(req) {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

/**
 * Our stack: `AuthenticationService` + `JWTStrategy` + a memory users service with the bench user.
 * `settings` adds to the `authentication` configuration (keys, entityCache, verifyOptions, keyRing).
 */
export async function orgAuth(settings = {}) {
  const { AuthenticationService } = await import('@org/core');
  const { JWTStrategy } = await import('@org/strategy-jwt');
  const { MemoryService } = await import('@org/adapter-memory');
  const users = new MemoryService({ records: [{ ...USER }] });
  const { jwtOptions, ...rest } = settings;
  const auth = new AuthenticationService(
    {
      ...(rest.privateKey || rest.keyRing ? {} : { secret: SECRET }),
      service: 'users',
      authStrategies: ['jwt'],
      jwtOptions: { audience: AUDIENCE, issuer: ISSUER, algorithm: 'HS256', expiresIn: '1h', ...jwtOptions },
      ...rest,
    },
    { services: { users } },
  );
  const strategy = new JWTStrategy();
  auth.register('jwt', strategy);
  await auth.setup();
  return { auth, strategy };
}
