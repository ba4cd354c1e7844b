// The model service: the reference GPU container's HTTP API (transcribe, diarize, translate) over our engines.
import { tmpdir } from 'node:os';
import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { installApiKeyAuth } from './auth.ts';
import { DEFAULT_MAX_UPLOAD_BYTES, type ServiceContext, type TranscriptionAppOptions } from './context.ts';
import { installErrorHandler } from './errors.ts';
import { EngineLocks } from './lock.ts';
import { diarizeRoutes } from './routes/diarize.ts';
import { metaRoutes } from './routes/meta.ts';
import { transcriptionRoutes } from './routes/transcriptions.ts';
import { translateRoutes } from './routes/translate.ts';

export async function createTranscriptionApp(opts: TranscriptionAppOptions): Promise<FastifyInstance> {
  const maxUploadBytes = opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const asrEngines = [opts.asr, ...(opts.extraAsr ?? []).filter((e) => e !== opts.asr)];
  const ctx: ServiceContext = {
    // Unknown model names ('large-v2', 'whisper-1' from clients of the reference) get the default engine.
    asrFor: (model) => asrEngines.find((e) => e.id === model?.trim()) ?? opts.asr,
    asrEngines,
    diarization: opts.diarization ?? null,
    translation: opts.translation,
    locks: new EngineLocks(),
    maxUploadBytes,
    tmpDir: opts.tmpDir ?? tmpdir(),
    downloadTimeoutMs: opts.downloadTimeoutMs ?? 30 * 60_000,
  };

  const app = Fastify({
    logger: opts.logger ?? false,
    // Uploads of long recordings and long recognitions must not be cut by Node's default 5-minute timeout.
    requestTimeout: 0,
    connectionTimeout: 0,
    bodyLimit: 8 * 1024 * 1024,
  });
  // Response schemas document the API; answers are plain JSON.stringify so that nothing is silently dropped.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // Clients of the reference POST with a JSON content type and no body; that is an empty object, not an error.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body).trim();
    if (!text) return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(Object.assign(new Error(`the body is not valid JSON: ${(err as Error).message}`), { statusCode: 400 }), undefined);
    }
  });

  installErrorHandler(app);
  installApiKeyAuth(app, opts.apiKey);
  await app.register(multipart, {
    limits: { fileSize: maxUploadBytes, files: 32, fields: 32, fieldSize: 1024 * 1024, parts: 64 },
    throwFileSizeLimit: true,
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Reflector model service',
        version: '0.1.0',
        description: 'Speech recognition, speaker diarization and translation over HTTP, compatible with the reference GPU container.',
      },
      components: opts.apiKey ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } : undefined,
      security: opts.apiKey ? [{ bearer: [] }] : undefined,
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  metaRoutes(app, ctx);
  transcriptionRoutes(app, ctx);
  diarizeRoutes(app, ctx);
  translateRoutes(app, ctx);
  await app.ready();
  return app;
}
