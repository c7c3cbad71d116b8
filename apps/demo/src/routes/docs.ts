// The typedoc site (`npm run docs` writes it to the repository's git-ignored site/ folder). Building it
// takes a while, so start never does: without the folder, /docs says how to build it.
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

const MISSING = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Docs not built</title>
<link rel="stylesheet" href="/style.css"></head>
<body><main class="narrow"><h1>The documentation is not built yet</h1>
<p>From the repository root run <code>npm run docs</code>, then restart the demo (<code>npm start</code>).</p>
<p><a href="/">Back to the demo</a></p></main></body></html>
`;

/**
 * `/docs/` serves `siteDir`; `/docs` redirects there (the site's links are relative). Without the
 * folder, both answer 404 with a page saying how to build it.
 *
 * @param app - The Fastify instance.
 * @param options - The site folder.
 */
export async function docsRoutes(app: FastifyInstance, options: { siteDir: string }): Promise<void> {
  app.get('/docs', async (_request, reply) => reply.redirect('/docs/', 301));
  if (!existsSync(options.siteDir)) {
    const hint = async (_request: unknown, reply: FastifyReply) =>
      reply.code(404).type('text/html; charset=utf-8').send(MISSING);
    app.get('/docs/', hint);
    app.get('/docs/*', hint);
    return;
  }
  await app.register(fastifyStatic, {
    root: options.siteDir,
    prefix: '/docs/',
    decorateReply: false,
    index: 'index.html',
  });
}
