// What each job does, and the start-up check that resumes transcripts whose job was lost.
import type { AppContext } from '../context.ts';
import { setTranscriptStatus } from '../events/transcript-events.ts';
import { processTranscript, processJobId } from '../pipeline/process-file.ts';
import { cleanupPublicData } from './cleanup-public-data.ts';
import type { JobHandlers } from './queue.ts';

/** A processing job whose worker died this many times is marked as failed. */
export const MAX_INTERRUPTIONS = 3;

export function jobHandlers(ctx: AppContext): JobHandlers {
  return {
    'process-transcript': async (data, job) => {
      const transcriptId = String(data.transcriptId);
      if ((job.interruptions ?? 0) >= MAX_INTERRUPTIONS) {
        // The recording keeps killing the worker that processes it (out of memory, a crashing engine):
        // stop trying and say so, instead of taking workers down forever.
        ctx.log.error({ transcriptId, interruptions: job.interruptions }, 'giving up on a job whose worker keeps dying');
        await setTranscriptStatus(
          ctx,
          transcriptId,
          'error',
          `Processing stopped ${job.interruptions} times because the worker running it died (for example out of memory); not retrying`,
        );
        return;
      }
      await processTranscript(ctx, transcriptId, { attempt: job.attempt, signal: job.signal });
    },
    'cleanup-public-data': async (data) => {
      await cleanupPublicData(ctx, { days: typeof data.days === 'number' ? data.days : undefined });
    },
  };
}

export async function enqueueProcessing(ctx: AppContext, transcriptId: string): Promise<boolean> {
  const jobId = processJobId(transcriptId);
  if (await ctx.jobs.isPending(jobId)) return false;
  await ctx.jobs.enqueue('process-transcript', { transcriptId }, { jobId, attempts: 3 });
  return true;
}

/** Transcripts left in `uploaded` or `processing` with no waiting or running job are queued again. */
export async function resumeInterruptedTranscripts(ctx: AppContext): Promise<number> {
  const rows = await ctx.database.query<{ id: string }>("SELECT id FROM transcript WHERE status IN ('uploaded', 'processing')");
  let resumed = 0;
  for (const { id } of rows) {
    if (await enqueueProcessing(ctx, id)) resumed++;
  }
  if (resumed) ctx.log.info({ resumed }, 'resumed interrupted transcripts');
  return resumed;
}
