// POST /diarize?audio_file_url=...&timestamp=... → {diarization: [{start, end, speaker}]}.
// Beyond the reference: the audio may also come as a multipart `file` upload instead of a URL.
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.ts';
import { downloadToFile } from '../download.ts';
import { HttpError } from '../errors.ts';
import { probe } from '@reflector/speech/audio/probe';
import { readMultipart, requestTempDir } from '../uploads.ts';
import { round } from '../words.ts';

export function diarizeRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post<{ Querystring: { audio_file_url?: string; timestamp?: number; num_speakers?: number } }>(
    '/diarize',
    {
      schema: {
        summary: 'Who spoke when',
        description:
          'Diarizes the recording at `audio_file_url` (or uploaded as multipart `file`). Speaker numbers start at 0; every time is rounded to ' +
          'the millisecond and shifted by `timestamp` seconds.',
        querystring: {
          type: 'object',
          properties: {
            audio_file_url: { type: 'string' },
            timestamp: { type: 'number', default: 0 },
            num_speakers: { type: 'integer', minimum: 1, description: 'exact speaker count when known' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              diarization: {
                type: 'array',
                items: { type: 'object', properties: { start: { type: 'number' }, end: { type: 'number' }, speaker: { type: 'integer' } } },
              },
            },
          },
        },
      },
    },
    async (req) => {
      const engine = ctx.diarization;
      if (!engine) throw new HttpError(503, 'diarization is not enabled on this service (DIARIZATION_BACKEND=none)');
      const offset = req.query.timestamp ?? 0;
      const tmp = await requestTempDir(ctx.tmpDir);
      try {
        let path: string;
        if (req.isMultipart()) {
          const { files } = await readMultipart(req, tmp.dir, { fileFields: ['file'], maxFileBytes: ctx.maxUploadBytes });
          if (!files[0]) throw new HttpError(400, 'no audio file in the request: send it in the "file" field or give audio_file_url');
          path = files[0].path;
        } else {
          if (!req.query.audio_file_url) throw new HttpError(422, 'audio_file_url is required (or upload the audio as multipart "file")');
          path = (await downloadToFile(req.query.audio_file_url, tmp.dir, { maxBytes: ctx.maxUploadBytes, timeoutMs: ctx.downloadTimeoutMs })).path;
        }
        const info = await probe(path);
        if (!info.hasAudio) throw new HttpError(400, 'the file has no audio stream');
        const segments = await ctx.locks.for(engine).run(() => engine.diarizeFile(path, { numSpeakers: req.query.num_speakers }));
        return {
          diarization: segments.map((s) => ({ start: round(s.start + offset, 3), end: round(s.end + offset, 3), speaker: s.speaker })),
        };
      } finally {
        await tmp.cleanup();
      }
    },
  );
}
