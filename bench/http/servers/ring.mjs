// node:http with our guard verifying against a KeyRing (memory store), either steady (the default 30-day
// rotation, so nothing changes during the window) or rotating every 2 seconds in real time, so that
// key generation, store writes and re-reads happen while requests are served.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { claims, tamper } from '../token.mjs';
import { listen, orgAuth, sendJson } from './common.mjs';

// The shortest schedule the ring accepts (durations are whole seconds): prePublication + clockTolerance
// < rotationPeriod, and refreshInterval between 1 s and prePublication.
const ROTATING = {
  rotationPeriod: 2,
  prePublication: 1,
  cacheLifetime: 1,
  clockTolerance: 0,
  refreshInterval: 1,
};

async function ringNode({ rotating = false, alg = 'RS256' }, counters) {
  const { KeyRing } = await import('@org/strategy-jwt');
  const { authenticateMiddleware } = await import('@org/core');
  const ring = await KeyRing.open({
    kek: { secret: randomBytes(32).toString('base64url') },
    algorithm: alg,
    maxTokenLifetime: '1h',
    ...(rotating && ROTATING),
  });
  ring.onChange(() => counters.changes++);
  const { auth, strategy } = await orgAuth({ keyRing: ring, jwtOptions: { algorithm: alg } });
  const requireUser = authenticateMiddleware(auth, 'jwt');
  const server = createServer((req, res) => requireUser(req, res, () => sendJson(res, 200, req.user)));
  const { sub: _sub, iat: _iat, exp: _exp, aud: _aud, iss: _iss, jti: _jti, ...extra } = claims();
  const token = await auth.createAccessToken(extra, { subject: '1' });
  return {
    port: await listen(server),
    token,
    tampered: tamper(token),
    close: async () => {
      server.close();
      strategy.entityCache?.close();
      await ring.stop();
    },
  };
}

export const ringServers = { 'ring-node': ringNode };
