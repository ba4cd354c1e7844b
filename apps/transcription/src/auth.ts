// Optional shared-secret auth (REFLECTOR_GPU_APIKEY), as in the reference model service. Docs and health stay
// open so that orchestrators can probe the container without the key.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

const OPEN_PREFIXES = ['/health', '/docs', '/openapi.json'];

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export function installApiKeyAuth(app: FastifyInstance, apiKey: string | undefined): void {
  if (!apiKey) return;
  const expected = digest(`Bearer ${apiKey}`);
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0];
    if (OPEN_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) return;
    const given = req.headers.authorization ?? '';
    // Hashing first gives equal lengths, which timingSafeEqual requires, and hides the key's length.
    if (!timingSafeEqual(digest(given.trim()), expected)) {
      return reply.status(401).header('www-authenticate', 'Bearer').send({ detail: 'Invalid API key' });
    }
  });
}
