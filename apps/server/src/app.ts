// The HTTP application: Fastify with zod schemas (validation and the OpenAPI document), CORS, WebSockets,
// metrics and one route module per resource.
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { Authenticator } from './auth/authenticate.ts';
import type { UserInfo } from './auth/policy.ts';
import type { AppContext } from './context.ts';
import { HttpError } from './errors.ts';
import { routeModules } from './http/index.ts';
import { registerMetrics } from './http/metrics.ts';
import { registerWeb } from './http/web.ts';

export type App = FastifyInstance;

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
    /** Resolves credentials to a user; also used by sign-in routes to check a provider's token. */
    authenticator: Authenticator;
  }
  interface FastifyRequest {
    /** The signed-in user, resolved once per request; null when anonymous. */
    user: UserInfo | null;
  }
}

export async function buildApp(ctx: AppContext): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.log.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: 10 * 1024 * 1024,
    trustProxy: true,
    // Uploads come as multipart streams handled by the upload route; nothing else needs big bodies.
  });
  app.decorate('ctx', ctx);
  const authenticator = new Authenticator(ctx);
  app.decorate('authenticator', authenticator);
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request) => {
    // Sign-in endpoints and everything outside /v1 (health, docs, the web app) do not look at
    // credentials, so a stale token left in a client cannot stand in the way of signing in again.
    if (!request.url.startsWith('/v1/') || request.url.startsWith('/v1/auth/')) return;
    try {
      request.user = await authenticator.authenticate(request);
    } catch (err) {
      // A WebSocket handshake is accepted and then closed with an application code (4401), which
      // browsers can see; an HTTP 401 on the upgrade is opaque to them.
      if (request.headers.upgrade?.toLowerCase() !== 'websocket') throw err;
      request.user = null;
    }
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof HttpError) {
      return reply.status(err.statusCode).headers(err.headers).send({ detail: err.detail });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'body';
      const detail = err.validation.map((v) => {
        const field = v.instancePath.split('/').filter(Boolean);
        const loc = [where, ...field];
        return { loc, msg: v.message ?? 'invalid', type: v.params?.issue ? (v.params.issue as { code?: string }).code ?? 'invalid' : 'invalid', field: field.join('.') || where };
      });
      return reply.status(422).send({ detail });
    }
    const e = err as { statusCode?: number; code?: string; message: string };
    if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (e.statusCode === 400 && /JSON/.test(e.message))) {
      return reply.status(422).send({ detail: [{ loc: ['body'], msg: `Invalid JSON body: ${e.message}`, type: 'json_invalid', field: 'body' }] });
    }
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.status(415).send({ detail: e.message });
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.code === 'FST_REQ_FILE_TOO_LARGE') return reply.status(413).send({ detail: 'Request body is too large' });
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return reply.status(e.statusCode).send({ detail: e.message });
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ detail: 'Internal server error' });
  });

  await app.register(cors, {
    origin: ctx.config.CORS_ORIGIN === '*' ? true : ctx.config.CORS_ORIGIN.split(',').map((s) => s.trim()),
    credentials: ctx.config.CORS_ALLOW_CREDENTIALS,
    exposedHeaders: ['content-range', 'accept-ranges', 'content-length', 'content-encoding', 'content-type', 'retry-after'],
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Reflector API', version: '0.1.0', description: 'Meeting transcripts, speakers, topics and summaries.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });
  registerMetrics(app);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  for (const mod of routeModules) await app.register(mod);
  await registerWeb(app);
  return app;
}
