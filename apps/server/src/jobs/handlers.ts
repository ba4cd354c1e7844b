// What each job does, and the start-up check that resumes transcripts whose job was lost.
import type { AppContext } from '../context.ts';
import { processTranscript, processJobId } from '../pipeline/process-file.ts';
import { cleanupPublicData } from './cleanup-public-data.ts';
import type { JobHandlers } from './queue.ts';

export function jobHandlers(ctx: AppContext): JobHandlers {
  return {
    'process-transcript': async (data, job) => {
      await processTranscript(ctx, String(data.transcriptId), { attempt: job.attempt, signal: job.signal });
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
