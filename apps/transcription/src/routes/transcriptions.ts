// POST /v1/audio/transcriptions (uploads) and POST /v1/audio/transcriptions-from-url.
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.ts';
import { downloadToFile } from '../download.ts';
import { HttpError } from '../errors.ts';
import { recogniseFile } from '../recognise.ts';
import { readMultipart, requestTempDir } from '../uploads.ts';
import { toWireWords } from '../words.ts';

const wordSchema = {
  type: 'object',
  properties: { word: { type: 'string' }, start: { type: 'number' }, end: { type: 'number' } },
  required: ['word', 'start', 'end'],
} as const;

const resultSchema = {
  type: 'object',
  properties: { text: { type: 'string' }, words: { type: 'array', items: wordSchema }, filename: { type: 'string' } },
  required: ['text', 'words'],
} as const;

const errorSchema = { type: 'object', properties: { detail: { type: 'string' } } } as const;

function parseBool(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

export function transcriptionRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post(
    '/v1/audio/transcriptions',
    {
      schema: {
        summary: 'Transcribe uploaded audio',
        description:
          'multipart/form-data with `file` (one recording) or `files` (several), and optional fields `model` (an engine id; anything ' +
          'else selects the default engine), `language` (ISO 639-1, default en) and `batch` (true requires `files`). One file answers ' +
          '{text, words, filename}; several answer {results: [...]}.',
        consumes: ['multipart/form-data'],
        response: {
          200: { oneOf: [resultSchema, { type: 'object', properties: { results: { type: 'array', items: resultSchema } } }] },
          400: errorSchema,
          413: errorSchema,
        },
      },
    },
    async (req) => {
      if (!req.isMultipart()) throw new HttpError(400, 'send the audio as multipart/form-data with a "file" field');
      const tmp = await requestTempDir(ctx.tmpDir);
      try {
        const { files, fields } = await readMultipart(req, tmp.dir, { fileFields: ['file', 'files', 'files[]'], maxFileBytes: ctx.maxUploadBytes });
        if (files.length === 0) throw new HttpError(400, 'no audio file in the request: send it in the "file" field (or several in "files")');
        const batch = parseBool(fields.batch);
        const several = files.some((f) => f.field !== 'file') || files.length > 1;
        if (batch && !several) throw new HttpError(400, 'batch=true needs the audio in the "files" field');
        const engine = ctx.asrFor(fields.model);
        const language = fields.language?.trim() || 'en';
        const results = [];
        for (const f of files) {
          const result = await ctx.locks.for(engine).run(() => recogniseFile(f.path, engine, { language }));
          results.push({ text: result.text, words: toWireWords(result.words), filename: f.filename });
        }
        return several ? { results } : results[0];
      } finally {
        await tmp.cleanup();
      }
    },
  );

  app.post<{ Body: { audio_file_url: string; model?: string; language?: string; timestamp_offset?: number } }>(
    '/v1/audio/transcriptions-from-url',
    {
      schema: {
        summary: 'Transcribe audio the service downloads',
        description: 'Downloads `audio_file_url` (404 when it does not exist), runs VAD and recognises speech in batches of at most 30 s. Word times are shifted by `timestamp_offset` seconds.',
        body: {
          type: 'object',
          properties: {
            audio_file_url: { type: 'string', minLength: 1 },
            model: { type: 'string' },
            language: { type: 'string', default: 'en' },
            timestamp_offset: { type: 'number', default: 0 },
          },
          required: ['audio_file_url'],
        },
        response: { 200: resultSchema, 400: errorSchema, 404: errorSchema, 413: errorSchema },
      },
    },
    async (req) => {
      const { audio_file_url, model, language, timestamp_offset } = req.body;
      const tmp = await requestTempDir(ctx.tmpDir);
      try {
        const file = await downloadToFile(audio_file_url, tmp.dir, { maxBytes: ctx.maxUploadBytes, timeoutMs: ctx.downloadTimeoutMs });
        const engine = ctx.asrFor(model);
        const result = await ctx.locks.for(engine).run(() => recogniseFile(file.path, engine, { language: language || 'en' }));
        return { text: result.text, words: toWireWords(result.words, timestamp_offset ?? 0) };
      } finally {
        await tmp.cleanup();
      }
    },
  );
}
