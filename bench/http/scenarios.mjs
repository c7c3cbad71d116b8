// The scenarios, as data: each row names the server (a spec for server.mjs, or the demo), the path it
// loads, whether the path is guarded (then a tampered token must get a 401), and an optional baseline
// row whose figures its note compares with.

const node = (options = {}) => ({ kind: 'org-node', ...options });
const BUSY_MS = 0.2;

/** Rows of the asymmetric scenario: RS256 and ES256, offloaded or not, handlers idle or busy. */
function asymmetric() {
  const rows = [];
  for (const alg of ['RS256', 'ES256']) {
    for (const busyMs of [0, BUSY_MS]) {
      const load = busyMs ? `busy ${busyMs} ms` : 'idle';
      const inline = `${alg} inline, ${load}`;
      rows.push({ name: inline, server: node({ alg, busyMs, offload: false }), guarded: true });
      rows.push({
        name: `${alg} offloaded, ${load}`,
        server: node({ alg, busyMs, offload: true, optional: true }),
        guarded: true,
        baseline: inline,
      });
    }
  }
  return rows;
}

/**
 * Every scenario in order. `quick` scenarios run in quick mode; `full` rows only with `full`; a `fresh`
 * scenario forks its servers anew in every round (see index.mjs).
 * @type {{ id: number, scenario: string, quick?: boolean, demo?: boolean, fresh?: boolean, rows: object[] }[]}
 */
export const SCENARIOS = [
  {
    id: 1,
    scenario: 'ceiling',
    quick: true,
    rows: [{ name: 'node:http hello (JSON)', server: { kind: 'ceiling' }, guarded: false }],
  },
  {
    id: 2,
    scenario: 'node:http guard',
    quick: true,
    rows: [
      { name: 'unguarded', server: node({ guarded: false }), guarded: false },
      { name: 'guarded, entityCache off', server: node(), guarded: true, baseline: 'unguarded' },
      {
        name: 'guarded, entityCache on',
        server: node({ entityCache: true }),
        guarded: true,
        baseline: 'unguarded',
      },
      {
        name: 'guarded, entityCache on + verifiedTokenCache',
        server: node({ entityCache: true, tokenCache: true }),
        guarded: true,
        baseline: 'unguarded',
      },
    ],
  },
  {
    id: 3,
    scenario: 'fastify',
    quick: true,
    rows: [
      { name: 'unguarded', server: { kind: 'fastify' }, path: '/open', guarded: false },
      {
        name: 'fastify.authenticate',
        server: { kind: 'fastify' },
        path: '/guarded',
        guarded: true,
        baseline: 'unguarded',
      },
      {
        name: 'fastify.authenticate, entityCache on + verifiedTokenCache',
        server: { kind: 'fastify', entityCache: true, tokenCache: true },
        path: '/guarded',
        guarded: true,
        baseline: 'unguarded',
      },
    ],
  },
  {
    id: 4,
    scenario: 'verifier in handler',
    quick: true,
    rows: [
      { name: 'fast-jwt, cache off', server: { kind: 'fast-jwt', cache: false }, guarded: true },
      {
        name: 'ours (auth.verifyAccessToken), cache off',
        server: { kind: 'org-verifier' },
        guarded: true,
        baseline: 'fast-jwt, cache off',
      },
      { name: 'fast-jwt, cache on', server: { kind: 'fast-jwt', cache: true }, guarded: true },
      {
        name: 'ours (auth.verifyAccessToken), verifiedTokenCache',
        server: { kind: 'org-verifier', tokenCache: true },
        guarded: true,
        baseline: 'fast-jwt, cache on',
      },
      { name: 'raw node:crypto HS256', server: { kind: 'raw-crypto' }, guarded: true },
    ],
  },
  {
    id: 5,
    scenario: 'feathers 5',
    rows: [
      {
        name: 'koa, unguarded',
        server: { kind: 'feathers-koa', guarded: false },
        path: '/me',
        guarded: false,
        full: true,
      },
      {
        name: 'koa, authenticate(jwt)',
        server: { kind: 'feathers-koa' },
        path: '/me',
        guarded: true,
        baseline: 'koa, unguarded',
      },
      {
        name: 'express, unguarded',
        server: { kind: 'feathers-express', guarded: false },
        path: '/me',
        guarded: false,
        full: true,
      },
      {
        name: 'express, authenticate(jwt)',
        server: { kind: 'feathers-express' },
        path: '/me',
        guarded: true,
        baseline: 'express, unguarded',
      },
    ],
  },
  {
    id: 6,
    scenario: 'demo',
    demo: true,
    rows: [
      { name: 'GET /health', path: '/health', guarded: false },
      {
        name: 'GET /messages (ES256 ring)',
        path: '/messages?$limit=10',
        guarded: true,
        baseline: 'GET /health',
      },
    ],
  },
  { id: 7, scenario: 'asymmetric', rows: asymmetric() },
  {
    id: 8,
    scenario: 'rotation',
    fresh: true,
    rows: [
      { name: 'RS256 ring, steady', server: { kind: 'ring-node' }, guarded: true },
      {
        name: 'RS256 ring, rotating every 2 s',
        server: { kind: 'ring-node', rotating: true },
        guarded: true,
        baseline: 'RS256 ring, steady',
      },
    ],
  },
];
