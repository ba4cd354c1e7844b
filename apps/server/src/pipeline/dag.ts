// Runs a pipeline as a graph of stages. Every stage is a job on the queue, so with Redis the stages of
// one recording spread over the workers; the database records each stage's state and output, and a
// finished stage queues the stages whose inputs are now all there. The same code runs in one process
// with the in-process queue.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { AppContext } from '../context.ts';
import type { JobHandler } from '../jobs/queue.ts';

export interface StageContext {
  ctx: AppContext;
  transcriptId: string;
  runId: string;
  signal: AbortSignal;
  /** Output of an earlier stage (undefined when that stage failed and was optional). */
  output<T>(stage: string): Promise<T | undefined>;
}

export interface StageDef {
  name: string;
  after: string[];
  /** Failing does not fail the run: the next stages go on without its output. */
  optional?: boolean;
  run(sc: StageContext): Promise<unknown>;
}

export interface PipelineDef {
  kind: string;
  stages: StageDef[];
  /** Called once when a required stage has failed for good. */
  onFailure(ctx: AppContext, transcriptId: string, stage: string, error: Error, runId: string): Promise<void>;
  /** Called once when every stage is done. */
  onSuccess?(ctx: AppContext, transcriptId: string, runId: string): Promise<void>;
}

export const STAGE_ATTEMPTS = 3;
/** A stage whose worker died this many times (killed, out of memory, a crashing engine) fails for good. */
export const MAX_INTERRUPTIONS = 3;
const registry = new Map<string, PipelineDef>();

export function registerPipeline(def: PipelineDef): void {
  const names = new Set(def.stages.map((s) => s.name));
  for (const s of def.stages) for (const dep of s.after) if (!names.has(dep)) throw new Error(`stage ${s.name} waits for unknown stage ${dep}`);
  registry.set(def.kind, def);
}

const stageJobId = (runId: string, stage: string) => `stage-${runId}-${stage}`;
const workerName = `${os.hostname()}:${process.pid}`;

/**
 * Starts a new run of `kind` for the transcript. Any earlier run still going is superseded (its
 * remaining stages see that and stop). Returns the run id.
 */
export async function startRun(ctx: AppContext, kind: string, transcriptId: string): Promise<string> {
  const def = registry.get(kind);
  if (!def) throw new Error(`unknown pipeline ${kind}`);
  const runId = randomUUID();
  await ctx.database.transaction(async (s) => {
    await s.query("UPDATE pipeline_run SET status = 'superseded', finished_at = now() WHERE transcript_id = $1 AND status = 'running'", [transcriptId]);
    await s.query('INSERT INTO pipeline_run (id, transcript_id, kind) VALUES ($1, $2, $3)', [runId, transcriptId, kind]);
    for (const stage of def.stages) {
      await s.query('INSERT INTO pipeline_stage (run_id, stage, status) VALUES ($1, $2, $3)', [runId, stage.name, stage.after.length ? 'pending' : 'queued']);
    }
    await s.query('UPDATE transcript SET workflow_run_id = $2 WHERE id = $1', [transcriptId, runId]);
  });
  for (const stage of def.stages.filter((st) => !st.after.length)) await enqueueStage(ctx, runId, stage.name);
  return runId;
}

async function enqueueStage(ctx: AppContext, runId: string, stage: string): Promise<void> {
  await ctx.jobs.enqueue('pipeline-stage', { runId, stage }, { jobId: stageJobId(runId, stage), attempts: STAGE_ATTEMPTS });
}

/** Whether the transcript has a run in progress. */
export async function hasRunningRun(ctx: AppContext, transcriptId: string): Promise<boolean> {
  const rows = await ctx.database.query("SELECT 1 FROM pipeline_run WHERE transcript_id = $1 AND status = 'running' LIMIT 1", [transcriptId]);
  return rows.length > 0;
}

/** Queues again the unfinished stages of every running run (after a restart). Returns how many. */
export async function resumeRuns(ctx: AppContext): Promise<number> {
  const rows = await ctx.database.query<{ run_id: string; stage: string }>(
    `SELECT s.run_id, s.stage FROM pipeline_stage s JOIN pipeline_run r ON r.id = s.run_id
     WHERE r.status = 'running' AND s.status IN ('queued', 'running')`,
  );
  for (const r of rows) await enqueueStage(ctx, r.run_id, r.stage);
  return rows.length;
}

/** The job handler for 'pipeline-stage'. */
export function stageJobHandler(ctx: AppContext): JobHandler {
  return async (data, job) => {
    const runId = String(data.runId);
    const stageName = String(data.stage);
    const [run] = await ctx.database.query<{ kind: string; transcript_id: string; status: string }>('SELECT kind, transcript_id, status FROM pipeline_run WHERE id = $1', [runId]);
    if (!run || run.status !== 'running') return; // superseded, failed or deleted meanwhile
    const def = registry.get(run.kind);
    if (!def) throw new Error(`unknown pipeline ${run.kind}`);
    const stage = def.stages.find((s) => s.name === stageName);
    // A run started by an older version may list a stage this version no longer has; the run's completion
    // only looks at the stages defined now.
    if (!stage) return;
    const [state] = await ctx.database.query<{ status: string }>('SELECT status FROM pipeline_stage WHERE run_id = $1 AND stage = $2', [runId, stageName]);
    if (!state || state.status === 'done' || state.status === 'failed') return;
    await ctx.database.query(
      "UPDATE pipeline_stage SET status = 'running', attempts = attempts + 1, worker = $3, started_at = now(), error = NULL WHERE run_id = $1 AND stage = $2",
      [runId, stageName, workerName],
    );
    const sc: StageContext = {
      ctx,
      transcriptId: run.transcript_id,
      runId,
      signal: job.signal,
      async output<T>(name: string) {
        const [row] = await ctx.database.query<{ output: T | null }>('SELECT output FROM pipeline_stage WHERE run_id = $1 AND stage = $2', [runId, name]);
        return row?.output ?? undefined;
      },
    };
    let output: unknown;
    try {
      if ((job.interruptions ?? 0) >= MAX_INTERRUPTIONS) {
        throw Object.assign(
          new Error(`Processing stopped ${job.interruptions} times because the worker running it died (for example out of memory); not retrying`),
          { permanent: true },
        );
      }
      output = await stage.run(sc);
    } catch (err) {
      if (job.signal.aborted) throw err; // shutting down: resumed later
      const error = err instanceof Error ? err : new Error(String(err));
      ctx.log.warn({ runId, stage: stageName, attempt: job.attempt, err: error.message }, 'pipeline stage failed');
      if (job.attempt < STAGE_ATTEMPTS && !isPermanent(error)) {
        await ctx.database.query("UPDATE pipeline_stage SET status = 'queued', error = $3 WHERE run_id = $1 AND stage = $2", [runId, stageName, error.message]);
        throw error; // the queue retries with backoff
      }
      await ctx.database.query("UPDATE pipeline_stage SET status = 'failed', error = $3, finished_at = now() WHERE run_id = $1 AND stage = $2", [
        runId,
        stageName,
        error.message,
      ]);
      if (!stage.optional) {
        const [updated] = await ctx.database.query("UPDATE pipeline_run SET status = 'error', error = $2, finished_at = now() WHERE id = $1 AND status = 'running' RETURNING id", [
          runId,
          `${stageName}: ${error.message}`,
        ]);
        if (updated) await def.onFailure(ctx, run.transcript_id, stageName, error, runId);
        return;
      }
      await advance(ctx, def, runId, run.transcript_id);
      return;
    }
    await ctx.database.query("UPDATE pipeline_stage SET status = 'done', output = $3::jsonb, finished_at = now() WHERE run_id = $1 AND stage = $2", [
      runId,
      stageName,
      JSON.stringify(output ?? null),
    ]);
    await advance(ctx, def, runId, run.transcript_id);
  };
}

/** Errors that a retry cannot fix (bad input, a service refusing our key); everything else is retried. */
function isPermanent(err: Error): boolean {
  const e = err as { kind?: string; permanent?: boolean; status?: number };
  return e.kind === 'bad_input' || e.permanent === true || e.status === 401 || e.status === 403;
}

/** Queues every stage whose inputs are complete; finishes the run when nothing is left. */
async function advance(ctx: AppContext, def: PipelineDef, runId: string, transcriptId: string): Promise<void> {
  const ready: string[] = [];
  let finished = false;
  await ctx.database.transaction(async (s) => {
    // Lock the run so two workers finishing sibling stages do not both queue the next one.
    const [run] = await s.query<{ status: string }>('SELECT status FROM pipeline_run WHERE id = $1 FOR UPDATE', [runId]);
    if (!run || run.status !== 'running') return;
    {
      const states = new Map((await s.query<{ stage: string; status: string }>('SELECT stage, status FROM pipeline_stage WHERE run_id = $1', [runId])).map((r) => [r.stage, r.status]));
      const complete = (name: string) => states.get(name) === 'done' || (states.get(name) === 'failed' && def.stages.find((st) => st.name === name)?.optional);
      for (const stage of def.stages) {
        if (states.get(stage.name) === 'pending' && stage.after.every(complete)) {
          await s.query("UPDATE pipeline_stage SET status = 'queued' WHERE run_id = $1 AND stage = $2", [runId, stage.name]);
          ready.push(stage.name);
        }
      }
      if (def.stages.every((st) => complete(st.name))) {
        await s.query("UPDATE pipeline_run SET status = 'ended', finished_at = now() WHERE id = $1", [runId]);
        finished = true;
      }
    }
  });
  for (const name of ready) await enqueueStage(ctx, runId, name);
  if (finished) await def.onSuccess?.(ctx, transcriptId, runId);
}
