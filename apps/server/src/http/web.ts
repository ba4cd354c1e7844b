// Serves the web app's build at / in the embedded configuration. Client-side routes fall back to
// index.html; API paths keep their JSON 404.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const WEB_DIST = process.env.WEB_DIST_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');
const API_PREFIXES = ['/v1/', '/health', '/metrics', '/docs', '/openapi.json'];

/** Registers the web app and the 404 handler on the root instance (after every API route). */
export async function registerWeb(app: FastifyInstance): Promise<void> {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/html')
        .send(
          '<!doctype html><meta charset="utf-8"><title>Reflector</title><h1>Reflector API</h1>' +
            '<p>The web app is not built (run <code>npm run build -w @reflector/web</code>). ' +
            'The API is documented at <a href="/docs">/docs</a>.</p>',
        ),
    );
    app.setNotFoundHandler((_request, reply) => reply.status(404).send({ detail: 'Not Found' }));
    return;
  }
  await app.register(fastifyStatic, { root: WEB_DIST, wildcard: false, index: ['index.html'] });
  app.setNotFoundHandler((request, reply) => {
    const accepts = request.headers.accept ?? '';
    if (request.method === 'GET' && accepts.includes('text/html') && !API_PREFIXES.some((p) => request.url.startsWith(p))) {
      return reply.sendFile('index.html');
    }
    return reply.status(404).send({ detail: 'Not Found' });
  });
}
