// GET /v1/transcripts/{id}/pipeline: the stages of the latest processing run, with their state and
// timings, so people (and the processing page) can see what is happening and what failed.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentUser } from '../auth/policy.ts';
import { getReadableTranscript } from '../transcripts/repository.ts';
import { errorResponses } from './error-responses.ts';

const StageOut = z.object({
  stage: z.string(),
  status: z.enum(['pending', 'queued', 'running', 'done', 'failed']),
  attempts: z.number().int(),
  error: z.string().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  seconds: z.number().nullable().describe('time spent in the last attempt'),
  inference_seconds: z
    .number()
    .nullable()
    .describe('part of `seconds` spent inside a model, for a stage that runs one on the side (voice detection while preparing the audio)'),
});

const RunOut = z
  .object({
    id: z.string(),
    kind: z.string(),
    status: z.enum(['running', 'ended', 'error', 'superseded']),
    error: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
    stages: z.array(StageOut),
  })
  .nullable();

export const pipelineRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  app.get(
    '/v1/transcripts/:id/pipeline',
    {
      schema: {
        tags: ['transcripts'],
        operationId: 'v1_transcript_pipeline',
        summary: 'The latest processing run: its stages, their state and timings',
        params: z.object({ id: z.string() }),
        response: { 200: RunOut, ...errorResponses(403, 404) },
      },
    },
    async (request) => {
      const t = await getReadableTranscript(ctx, request.params.id, currentUser(request));
      const [run] = await ctx.database.query<{ id: string; kind: string; status: 'running'; error: string | null; created_at: Date; finished_at: Date | null }>(
        'SELECT id, kind, status, error, created_at, finished_at FROM pipeline_run WHERE transcript_id = $1 ORDER BY created_at DESC LIMIT 1',
        [t.id],
      );
      if (!run) return null;
      const stages = await ctx.database.query<{
        stage: string;
        status: 'done';
        attempts: number;
        error: string | null;
        started_at: Date | null;
        finished_at: Date | null;
        inference_seconds: number | string | null;
      }>(
        "SELECT stage, status, attempts, error, started_at, finished_at, output->>'inferenceSeconds' AS inference_seconds FROM pipeline_stage WHERE run_id = $1",
        [run.id],
      );
      const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
      return {
        id: run.id,
        kind: run.kind,
        status: run.status,
        error: run.error,
        created_at: iso(run.created_at)!,
        finished_at: iso(run.finished_at),
        stages: stages
          .sort((a, b) => (a.started_at ? new Date(a.started_at).getTime() : Infinity) - (b.started_at ? new Date(b.started_at).getTime() : Infinity))
          .map((s) => ({
            stage: s.stage,
            status: s.status,
            attempts: s.attempts,
            error: s.error,
            started_at: iso(s.started_at),
            finished_at: iso(s.finished_at),
            seconds: s.started_at && s.finished_at ? (new Date(s.finished_at).getTime() - new Date(s.started_at).getTime()) / 1000 : null,
            inference_seconds: s.inference_seconds === null ? null : Number(s.inference_seconds),
          })),
      };
    },
  );
};
