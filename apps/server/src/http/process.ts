// POST /v1/transcripts/{id}/process: (re)runs the pipeline on the uploaded recording. Machine results
// are cleared first; fields people edited by hand (listed in edited_fields) are kept.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assertCanFeed, currentUser } from '../auth/policy.ts';
import type { AppContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { setTranscriptStatus } from '../events/transcript-events.ts';
import { enqueueProcessing, processJobId } from '../jobs/handlers.ts';
import { hasRunningRun } from '../pipeline/dag.ts';
import { getReadableTranscript } from '../transcripts/repository.ts';

/** Clears what the pipeline produces so a rerun starts clean; hand-edited fields survive. */
export async function resetMachineResults(ctx: Pick<AppContext, 'database'>, id: string): Promise<void> {
  const keep = (column: string) => `CASE WHEN edited_fields ? '${column}' THEN ${column} ELSE NULL END`;
  await ctx.database.query(
    `UPDATE transcript SET
       topics = '[]'::jsonb, events = '[]'::jsonb, webvtt = NULL, transcript_text = NULL, error = NULL,
       title = ${keep('title')}, short_summary = ${keep('short_summary')}, long_summary = ${keep('long_summary')},
       action_items = ${keep('action_items')}
     WHERE id = $1`,
    [id],
  );
}

export const processRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  app.post(
    '/v1/transcripts/:id/process',
    {
      schema: {
        tags: ['transcripts'],
        operationId: 'v1_transcript_process',
        summary: 'Process the uploaded recording again',
        params: z.object({ id: z.string() }),
        response: { 200: z.object({ status: z.enum(['ok', 'already running']) }) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const user = currentUser(request);
      const t = await getReadableTranscript(ctx, id, user);
      assertCanFeed(ctx.config, user, { user_id: t.userId, share_mode: t.shareMode });
      if (t.locked) throw badRequest('Recording is locked');
      if (!t.uploadKey) throw badRequest('Recording is not ready for processing');
      if ((await ctx.jobs.isPending(processJobId(id))) || (await hasRunningRun(ctx, id))) return { status: 'already running' as const };

      await resetMachineResults(ctx, id);
      // `uploaded` marks it as waiting, so a restart before the job runs still picks it up.
      await setTranscriptStatus(ctx, id, 'uploaded');
      const queued = await enqueueProcessing(ctx, id);
      return { status: queued ? ('ok' as const) : ('already running' as const) };
    },
  );
};
