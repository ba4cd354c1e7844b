// GET /health (which engines answer) and GET /openapi.json; the docs UI itself is served by @fastify/swagger-ui.
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.ts';

export function metaRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/health', { schema: { summary: 'Liveness and engine overview' } }, async () => ({
    status: 'ok',
    asr: ctx.asrEngines.map((e) => ({ id: e.id, quality: e.quality, languages: e.languages })),
    diarization: ctx.diarization ? { id: ctx.diarization.id } : null,
    translation: { id: ctx.translation.id },
  }));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
