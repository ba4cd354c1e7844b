// What each job does, and the start-up check that resumes transcripts whose job was lost.
import type { AppContext } from '../context.ts';
import { hasRunningRun, MAX_INTERRUPTIONS, resumeRuns, stageJobHandler, startRun } from '../pipeline/dag.ts';
import { FILE_PIPELINE } from '../pipeline/file-pipeline.ts';
import { cleanupPublicData } from './cleanup-public-data.ts';
import type { JobHandlers } from './queue.ts';

export { MAX_INTERRUPTIONS };

/** The job that starts a transcript's pipeline run; its id keeps two starts from racing. */
export const processJobId = (transcriptId: string) => `process-${transcriptId}`;

export function jobHandlers(ctx: AppContext): JobHandlers {
  return {
    'process-transcript': async (data) => {
      const transcriptId = String(data.transcriptId);
      if (!(await hasRunningRun(ctx, transcriptId))) await startRun(ctx, FILE_PIPELINE, transcriptId);
    },
    'pipeline-stage': stageJobHandler(ctx),
    'cleanup-public-data': async (data) => {
      await cleanupPublicData(ctx, { days: typeof data.days === 'number' ? data.days : undefined });
    },
  };
}

export async function enqueueProcessing(ctx: AppContext, transcriptId: string): Promise<boolean> {
  const jobId = processJobId(transcriptId);
  if ((await ctx.jobs.isPending(jobId)) || (await hasRunningRun(ctx, transcriptId))) return false;
  await ctx.jobs.enqueue('process-transcript', { transcriptId }, { jobId, attempts: 3 });
  return true;
}

/**
 * After a restart: unfinished stages of running pipeline runs are queued again, and transcripts left
 * `uploaded` or `processing` with no run at all get one.
 */
export async function resumeInterruptedTranscripts(ctx: AppContext): Promise<number> {
  const stages = await resumeRuns(ctx);
  if (stages) ctx.log.info({ stages }, 'resumed pipeline stages');
  const rows = await ctx.database.query<{ id: string }>("SELECT id FROM transcript WHERE status IN ('uploaded', 'processing')");
  let resumed = 0;
  for (const { id } of rows) {
    if (await enqueueProcessing(ctx, id)) resumed++;
  }
  if (resumed) ctx.log.info({ resumed }, 'resumed interrupted transcripts');
  return resumed;
}
