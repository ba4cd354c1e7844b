import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/health',
    { schema: { tags: ['health'], operationId: 'health', response: { 200: z.object({ status: z.literal('healthy') }) } } },
    async () => ({ status: 'healthy' as const }),
  );
};
